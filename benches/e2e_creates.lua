-- wrk script of benches/e2e_creates.sh: each connection posts the next signed create of its thread's share
-- of the bodies file; once the share is used up it sends `GET /v2` (no pipeline work) until the script stops
-- wrk. Arguments: <bodies.jsonl> <threads> <bearer token>.
local counter = 0
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

local bodies, next_index = {}, 0
function init(args)
  local path, threads = args[1], tonumber(args[2])
  local k = 0
  for line in io.lines(path) do
    if k % threads == id then bodies[#bodies + 1] = line end
    k = k + 1
  end
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. args[3]
end

-- wrk builds (and throws away) one request to check the script before it starts: that one is a cheap GET,
-- so that no create is lost.
local checked = false
function request()
  if not checked then
    checked = true
    return wrk.format("GET", "/v2")
  end
  next_index = next_index + 1
  if next_index > #bodies then
    return wrk.format("GET", "/v2")
  end
  return wrk.format("POST", "/v2/user", nil, bodies[next_index])
end
