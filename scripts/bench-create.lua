-- wrk script for scripts/bench.sh: POST /cases (log an incident) as a signed-in account manager.
--
-- Environment, set by bench.sh:
--   MEND_BENCH_SESSIONS  file with one "mend_session=<cookie> <csrf token>" line per session
--   MEND_BENCH_ACCOUNT   account id to log the incidents against
--   MEND_BENCH_CATEGORY  category id
--   MEND_BENCH_TITLE     title of every incident (one word of it identifies the run)
-- Requests rotate over the sessions. A successful creation answers 303 (to the new case); any
-- other answer is counted and reported as "unexpected answers: N" (and "created: N").

local sessions = {}
for line in io.lines(os.getenv("MEND_BENCH_SESSIONS")) do
  local cookie, token = line:match("^(%S+)%s+(%S+)$")
  if cookie then sessions[#sessions + 1] = { cookie = cookie, token = token } end
end
assert(#sessions > 0, "no sessions in MEND_BENCH_SESSIONS")

local function urlencode(s)
  return (s:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

local account = os.getenv("MEND_BENCH_ACCOUNT")
local category = os.getenv("MEND_BENCH_CATEGORY")
local title = os.getenv("MEND_BENCH_TITLE") or "Benchmark incident"

-- Pre-built requests, one per session.
local requests = {}
for i, s in ipairs(sessions) do
  local body = "csrf_token=" .. urlencode(s.token)
    .. "&account_id=" .. urlencode(account)
    .. "&title=" .. urlencode(title)
    .. "&what_happened=" .. urlencode("Logged by the benchmark.")
    .. "&category_id=" .. urlencode(category)
    .. "&severity=medium&detected_by=client&occurred_at="
  requests[i] = wrk.format("POST", "/cases", {
    ["Cookie"] = s.cookie,
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, body)
end

local threads = {}
function setup(thread)
  thread:set("id", #threads)
  threads[#threads + 1] = thread
end

function init(args)
  n = id -- start each thread at a different session
  created = 0
  unexpected = 0
end

function request()
  n = n + 1
  return requests[(n % #requests) + 1]
end

function response(status, headers, body)
  if status == 303 then created = created + 1 else unexpected = unexpected + 1 end
end

function done(summary, latency, requests)
  local c, u = 0, 0
  for _, t in ipairs(threads) do
    c = c + t:get("created")
    u = u + t:get("unexpected")
  end
  io.write(string.format("created: %d\n", c))
  io.write(string.format("unexpected answers: %d\n", u))
end
