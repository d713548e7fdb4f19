-- Each request comes from one of 100,000 client addresses (as behind an ingress), so every throttle
-- window stays as small as a real client's.
local n = math.random(0, 99999)
request = function()
  n = (n + 1) % 100000
  local ip = string.format("10.%d.%d.%d", math.floor(n / 65536) % 256, math.floor(n / 256) % 256, n % 256)
  return wrk.format(nil, nil, {["X-Forwarded-For"] = ip})
end
