-- The rename is data: it stays (the alias keeps `plumbing` answering).
SELECT 1;
