-- Analytics ingestion for `make bench-analytics`: POST the body in the file named by BENCH_BODY, each
-- request from one of 100,000 client addresses (as behind an ingress), so every throttle window stays
-- as small as a real phone's.
local f = assert(io.open(os.getenv("BENCH_BODY"), "r"))
local body = f:read("*a")
f:close()
local n = math.random(0, 99999)
request = function()
  n = (n + 1) % 100000
  local ip = string.format("10.%d.%d.%d", math.floor(n / 65536) % 256, math.floor(n / 256) % 256, n % 256)
  return wrk.format("POST", nil, {["X-Forwarded-For"] = ip, ["Content-Type"] = "application/json"}, body)
end
