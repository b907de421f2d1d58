"""The spend ledger's Lua scripts: each runs atomically inside Redis, so the window sums, the
cap check and the new reservation are one step for every `claw serve` sharing the wallet.

They mirror ``clawcli/core/x402/ledger.py`` (the local backend) rule for rule; the ledger
tests run against both backends, so a rule changed in one place and not the other fails them.

Keys (one ledger = one wallet address on one chain; the ``{...}`` hash tag keeps them in one
slot of a Redis Cluster), the same records as the local ledger file:

    <p>open       HASH  id -> reservation JSON (reserved / rejected / uncertain: counted as pending)
    <p>settled    HASH  unix minute -> atomic units settled in that minute (proven spend)
    <p>settled_n  HASH  unix minute -> number of settled payments
    <p>rejected   HASH  unix minute -> atomic units of expired, never-proven authorisations (counted)
    <p>recent     LIST  the last RECENT_MAX final reservations (JSON)
    <p>meta       HASH  tidied -> the unix minute old buckets were last dropped
    <p>seeded:<m> STRING  machine m's usage log is folded in (see SEED)

Time comes from the caller (ARGV ``now``), like the local ledger's injectable clock.
The rules are C's (/work/coord/ledger.md, issue 13: signed means spent until proven otherwise).
"""

from __future__ import annotations

from clawcli.core.x402.ledger import DAY_S, HOUR_S, KEEP_S, RECENT_MAX

# totals(now): sums the rolling windows. An open entry counts in a window while its timestamp is
# inside it OR its validBefore has not passed (the gateway can still execute it); a minute bucket
# while any second of its minute is inside the window. Returns spent_h, spent_d, pend_h, pend_d,
# rej_d (what the gateway said failed: still counted), count_d.
# tidy(now): what the local ledger's _save does after every write: folds expired, never-proven
# rejected/uncertain entries into their minute (bounded size), drops what left KEEP_S.
_COMMON = f"""
local HOUR, DAY, KEEP, RECENT = {HOUR_S}, {DAY_S}, {KEEP_S}, {RECENT_MAX}
local function vb_of(e) return tonumber(e.validBefore) or 0 end  -- cjson.null is not a number
-- the local ledger's rule: a negative or non-numeric amount is a corrupt ledger (refuse to sign),
-- never a silently larger budget
local function amount_of(v, what)
  local n = tonumber(v)
  if n == nil or n ~= n or n < 0 then error('corrupt ledger: ' .. what .. ' amount ' .. tostring(v)) end
  return n
end
local function totals(now)
  local sh, sd, ph, pd, rd, cd = 0, 0, 0, 0, 0, 0
  local settled = redis.call('HGETALL', KEYS[2])
  for i = 1, #settled, 2 do
    local end_age = now - (tonumber(settled[i]) * 60 + 60)  -- age of the bucket's last second
    local amount = amount_of(settled[i + 1], 'settled')
    if end_age < DAY then
      sd = sd + amount
      if end_age < HOUR then sh = sh + amount end
    end
  end
  local counts = redis.call('HGETALL', KEYS[3])
  for i = 1, #counts, 2 do
    if now - (tonumber(counts[i]) * 60 + 60) < DAY then cd = cd + tonumber(counts[i + 1]) end
  end
  local rejected = redis.call('HGETALL', KEYS[4])
  for i = 1, #rejected, 2 do
    local end_age = now - (tonumber(rejected[i]) * 60 + 60)
    local amount = amount_of(rejected[i + 1], 'rejected')
    if end_age < DAY then
      pd = pd + amount
      rd = rd + amount
      if end_age < HOUR then ph = ph + amount end
    end
  end
  local open = redis.call('HVALS', KEYS[1])
  for i = 1, #open do
    local e = cjson.decode(open[i])
    local age = now - tonumber(e.ts)
    local live = now < vb_of(e)
    local amount = amount_of(e.amount, 'open reservation')
    if age < DAY or live then
      pd = pd + amount
      if e.state ~= 'reserved' then rd = rd + amount end
      if age < HOUR or live then ph = ph + amount end
    end
  end
  return sh, sd, ph, pd, rd, cd
end
local function minute_of(e) return string.format('%d', math.floor(tonumber(e.ts) / 60)) end
local function tidy(now)
  local oldest = math.floor((now - KEEP) / 60)
  local open = redis.call('HGETALL', KEYS[1])
  for i = 1, #open, 2 do
    local e = cjson.decode(open[i + 1])
    local vb = vb_of(e)
    if e.state ~= 'reserved' and now >= vb then
      redis.call('HINCRBY', KEYS[4], minute_of(e), e.amount)
      redis.call('RPUSH', KEYS[5], open[i + 1])
      redis.call('HDEL', KEYS[1], open[i])
    elseif not (now - tonumber(e.ts) < KEEP or now < vb) then
      redis.call('HDEL', KEYS[1], open[i])
    end
  end
  -- minute buckets older than KEEP are never counted: dropping them once a minute is enough
  if tonumber(redis.call('HGET', KEYS[6], 'tidied') or '0') < math.floor(now / 60) then
    redis.call('HSET', KEYS[6], 'tidied', math.floor(now / 60))
    for _, key in ipairs({{KEYS[2], KEYS[3], KEYS[4]}}) do
      local fields = redis.call('HKEYS', key)
      for i = 1, #fields do
        if tonumber(fields[i]) < oldest then redis.call('HDEL', key, fields[i]) end
      end
    end
  end
  redis.call('LTRIM', KEYS[5], -RECENT, -1)
end
"""

#: every script: KEYS open settled settled_n rejected recent meta (marker)

#: ARGV now -> {spent_h, spent_d, pend_h, pend_d, rej_d, count_d}
TOTALS = _COMMON + """
return {totals(tonumber(ARGV[1]))}
"""

#: KEYS[7] this machine's "usage log folded in" marker; ARGV now amount hourly_limit daily_limit
#: (-1 = none) id record check_marker(1/0)
#: -> {1} reserved, {2} this machine's usage log is not in the ledger yet (seed first: SEED), or
#: {0, spent_h, spent_d, pend_h, pend_d, rej_d, count_d} (a cap would be crossed)
RESERVE = _COMMON + """
if ARGV[7] == '1' and redis.call('EXISTS', KEYS[7]) == 0 then return {2} end
local now, amount = tonumber(ARGV[1]), tonumber(ARGV[2])
local hourly, daily = tonumber(ARGV[3]), tonumber(ARGV[4])
local sh, sd, ph, pd, rd, cd = totals(now)
if (hourly >= 0 and sh + ph + amount > hourly) or (daily >= 0 and sd + pd + amount > daily) then
  return {0, sh, sd, ph, pd, rd, cd}
end
redis.call('HSET', KEYS[1], ARGV[5], ARGV[6])
tidy(now)
return {1}
"""

#: ARGV id state now fields(JSON object) claimed(-1 = none)
#: -> 1 when the transition happened, 0 when unknown, already final (settled / released / folded),
#: or a release of a reservation the gateway was handed (only settlement or time ends it)
FINISH = _COMMON + """
local now = tonumber(ARGV[3])
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return 0 end  -- unknown, or already final (a settlement is never undone)
local e = cjson.decode(raw)
local state = ARGV[2]
if state == 'released' and e.state ~= 'reserved' then return 0 end
e.state = state
e.updated = now
for k, v in pairs(cjson.decode(ARGV[4])) do e[k] = v end
local claimed = tonumber(ARGV[5])
if claimed >= 0 and claimed ~= e.amount then
  e.claimedAmount = claimed  -- what the gateway said moved; the signature bounds it
  e.amount = math.min(e.amount, claimed)
end
local enc = cjson.encode(e)
if state == 'settled' or state == 'released' then
  redis.call('HDEL', KEYS[1], ARGV[1])
  redis.call('RPUSH', KEYS[5], enc)
  if state == 'settled' then
    redis.call('HINCRBY', KEYS[2], minute_of(e), e.amount)
    redis.call('HINCRBY', KEYS[3], minute_of(e), 1)
  end
else
  redis.call('HSET', KEYS[1], ARGV[1], enc)  -- rejected / uncertain: still counted
end
tidy(now)
return 1
"""

#: The local ledger's "missing ledger -> rebuilt from the usage log", per machine: a machine whose
#: marker is absent (a new shared ledger, or a Redis that lost its data: the markers go with it)
#: adds its usage log's settled payments of the last 24 h, once (SET NX: two instances of one
#: machine cannot both add them).
#: KEYS open settled settled_n rejected recent meta marker; ARGV now minute1 amount1 count1 minute2 ...
#: -> 1 added, 0 another instance of this machine did it first
SEED = """
if redis.call('SET', KEYS[7], ARGV[1], 'NX') == false then return 0 end
for i = 2, #ARGV, 3 do
  redis.call('HINCRBY', KEYS[2], ARGV[i], ARGV[i + 1])
  redis.call('HINCRBY', KEYS[3], ARGV[i], ARGV[i + 2])
end
return 1
"""
