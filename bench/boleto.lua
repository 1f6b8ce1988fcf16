-- wrk script: every request is a new contact with a valid CPF (performance.md).
local counter = 0
local thread_id = 0

function setup(thread)
  thread:set("id", thread_id)
  thread_id = thread_id + 1
end

function init(args)
  path_prefix = args[1] or "/api/flows/boleto-bench/conversations/"
  api_key = args[2] or ""
  -- Which wrk run this is on the host (bench/run.py counts them): LuaJIT's math.random starts from the same seed in
  -- every run, so numbers drawn from it repeated the previous run's contacts, and every run after the warm-up was
  -- made of returning contacts. Numbering requests by run, thread and counter keeps every contact new.
  run = tonumber(args[3] or "0") or 0
end

local function cpf(n)
  local base = string.format("%09d", n % 1000000000)
  local d = {}
  for i = 1, 9 do d[i] = tonumber(base:sub(i, i)) end
  local s = 0
  for i = 1, 9 do s = s + d[i] * (11 - i) end
  local r = (s * 10) % 11; if r == 10 then r = 0 end
  d[10] = r
  s = 0
  for i = 1, 10 do s = s + d[i] * (12 - i) end
  r = (s * 10) % 11; if r == 10 then r = 0 end
  d[11] = r
  return base .. d[10] .. d[11]
end

function request()
  counter = counter + 1
  -- Unique for 200 runs of up to 2.5 million requests per thread, then scattered over the nine digits (multiplying by
  -- a number prime to 10^9 permutes them; exact in doubles, n * 7777777 < 2^53) so contacts arrive in no key order,
  -- as real ones do.
  local n = (run % 200) * 5000000 + id * 2500000 + counter
  local c = cpf((n * 7777777) % 1000000000)
  local body = '{"text":"quero a segunda via do boleto","fields":{"name":"João Conceição","cpf":"' .. c ..
    '","email":"cliente' .. c .. '@example.com.br"}}'
  local headers = { ["Content-Type"] = "application/json" }
  if api_key ~= "" then headers["X-Api-Key"] = api_key end
  return wrk.format("POST", path_prefix .. "bench-" .. c .. "/messages", headers, body)
end
