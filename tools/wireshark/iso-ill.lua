-- iso-ill.lua: a Wireshark/tshark dissector for ISO 10161 interlibrary-loan APDUs (BER over
-- TCP), part of illhub. Wireshark ships no dissector for ISO ILL.
--
-- Load it for one run:   tshark -X lua_script:tools/wireshark/iso-ill.lua -r capture.pcapng
--                        wireshark -X lua_script:tools/wireshark/iso-ill.lua capture.pcapng
-- or for good: copy it into Wireshark's personal Lua plugins folder (Help > About > Folders).
-- The TCP ports it decodes are a preference (Edit > Preferences > Protocols > ISO-ILL, or
-- `-o iso_ill.tcp_ports:4990,499`): by default 4990 (illd's port) and 499 (ISO ILL's
-- registered port). Shows the 20 APDU types by name, the transaction id, service date-time,
-- requester and responder, sender and recipient where the APDU type fixes them, and a few key
-- fields per type. APDUs are reassembled across TCP segments, several in one segment are all
-- shown, definite and indefinite BER lengths are both read, and bytes that are not a valid
-- APDU are marked malformed (filter: iso_ill.malformed) instead of stopping the dissection.
-- See docs/RECORDING.md.

local ill = Proto("iso_ill", "ISO 10161 Interlibrary Loan")

-- The APDU types, by their [APPLICATION n] tag (asn1/ill.asn).
local APDU_NAMES = {
  [1] = "ILL-Request", [2] = "Forward-Notification", [3] = "Shipped", [4] = "ILL-Answer",
  [5] = "Conditional-Reply", [6] = "Cancel", [7] = "Cancel-Reply", [8] = "Received",
  [9] = "Recall", [10] = "Returned", [11] = "Checked-In", [12] = "Overdue", [13] = "Renew",
  [14] = "Renew-Answer", [15] = "Lost", [16] = "Damaged", [17] = "Message",
  [18] = "Status-Query", [19] = "Status-Or-Error-Report", [20] = "Expired",
}

-- Who sends each type (ISO 10161 service definitions): the requester, the responder, or
-- either side (nil). Forward-Notification comes from the intermediary, towards the requester.
local REQUESTER_SENDS = { [1] = true, [5] = true, [6] = true, [8] = true, [10] = true, [13] = true }
local RESPONDER_SENDS = { [2] = true, [3] = true, [4] = true, [7] = true, [9] = true, [11] = true,
                          [12] = true, [14] = true, [20] = true }

local TRANSACTION_RESULTS = { [1] = "conditional", [2] = "retry", [3] = "unfilled",
  [4] = "locations-provided", [5] = "will-supply", [6] = "hold-placed", [7] = "estimate" }
local REASON_UNFILLED = { [1] = "in-use-on-loan", [2] = "in-process", [3] = "lost",
  [4] = "non-circulating", [5] = "not-owned", [6] = "on-order", [7] = "volume-issue-not-yet-available",
  [8] = "at-bindery", [9] = "lacking", [10] = "not-on-shelf", [11] = "on-reserve", [12] = "poor-condition",
  [13] = "cost-exceeds-limit", [14] = "charges", [15] = "prepayment-required",
  [16] = "lacks-copyright-compliance", [17] = "not-found-as-cited", [18] = "locations-not-found",
  [19] = "on-hold", [20] = "policy-problem", [21] = "mandatory-messaging-not-supported",
  [22] = "expiry-not-supported", [23] = "requested-delivery-services-not-supported",
  [24] = "preferred-delivery-time-not-possible", [27] = "other", [28] = "responder-specific" }
local REASON_NO_REPORT = { [1] = "temporary", [2] = "permanent" }
local REPORT_SOURCE = { [1] = "user", [2] = "provider" }
local CURRENT_STATE = { [1] = "NOT-SUPPLIED", [2] = "PENDING", [3] = "IN-PROCESS", [4] = "FORWARD",
  [5] = "CONDITIONAL", [6] = "CANCEL-PENDING", [7] = "CANCELLED", [8] = "SHIPPED", [9] = "RECEIVED",
  [10] = "RENEW-PENDING", [11] = "NOT-RECEIVED-OVERDUE", [12] = "RENEW-OVERDUE", [13] = "OVERDUE",
  [14] = "RETURNED", [15] = "CHECKED-IN", [16] = "RECALL", [17] = "LOST", [18] = "UNKNOWN" }
local GENERAL_PROBLEM = { [1] = "unrecognized-APDU", [2] = "mistyped-APDU", [3] = "badly-structured-APDU",
  [4] = "protocol-version-not-supported", [5] = "other" }
local TRANSACTION_ID_PROBLEM = { [1] = "duplicate-transaction-id", [2] = "invalid-transaction-id",
  [3] = "unknown-transaction-id" }
local UNABLE_TO_PERFORM = { [1] = "not-available", [2] = "resource-limitation", [3] = "other" }
local SERVICE_TYPE = { [1] = "loan", [2] = "copy-non-returnable", [3] = "locations", [4] = "estimate",
  [5] = "responder-specific" }

local f = {
  apdu = ProtoField.string("iso_ill.apdu", "APDU type"),
  tag = ProtoField.uint8("iso_ill.apdu_tag", "APPLICATION tag"),
  version = ProtoField.int32("iso_ill.version", "Protocol version"),
  transaction_id = ProtoField.string("iso_ill.transaction_id", "Transaction id"),
  initial_requester = ProtoField.string("iso_ill.initial_requester", "Initial requester"),
  group_qualifier = ProtoField.string("iso_ill.group_qualifier", "Transaction group qualifier"),
  qualifier = ProtoField.string("iso_ill.qualifier", "Transaction qualifier"),
  sub_qualifier = ProtoField.string("iso_ill.sub_qualifier", "Sub-transaction qualifier"),
  service_date_time = ProtoField.string("iso_ill.service_date_time", "Service date-time"),
  requester_id = ProtoField.string("iso_ill.requester_id", "Requester id"),
  responder_id = ProtoField.string("iso_ill.responder_id", "Responder id"),
  sender = ProtoField.string("iso_ill.sender", "Sender"),
  recipient = ProtoField.string("iso_ill.recipient", "Recipient"),
  intermediary_id = ProtoField.string("iso_ill.intermediary_id", "Intermediary id"),
  title = ProtoField.string("iso_ill.title", "Item title"),
  author = ProtoField.string("iso_ill.author", "Item author"),
  transaction_results = ProtoField.uint32("iso_ill.transaction_results", "Transaction results", base.DEC,
                                          TRANSACTION_RESULTS),
  reason_unfilled = ProtoField.uint32("iso_ill.reason_unfilled", "Reason unfilled", base.DEC, REASON_UNFILLED),
  answer = ProtoField.bool("iso_ill.answer", "Answer"),
  shipped_service_type = ProtoField.uint32("iso_ill.shipped_service_type", "Shipped service type", base.DEC,
                                           SERVICE_TYPE),
  date_shipped = ProtoField.string("iso_ill.date_shipped", "Date shipped"),
  date_due = ProtoField.string("iso_ill.date_due", "Date due"),
  event_date = ProtoField.string("iso_ill.date", "Date"),
  reason_no_report = ProtoField.uint32("iso_ill.reason_no_report", "Reason no report", base.DEC, REASON_NO_REPORT),
  provider_status = ProtoField.uint32("iso_ill.provider_status", "Provider status (current state)", base.DEC,
                                      CURRENT_STATE),
  report_source = ProtoField.uint32("iso_ill.report_source", "Report source", base.DEC, REPORT_SOURCE),
  problem = ProtoField.string("iso_ill.problem", "Problem"),
  note = ProtoField.string("iso_ill.note", "Note"),
}
ill.fields = f

local malformed = ProtoExpert.new("iso_ill.malformed", "Malformed ISO ILL data", expert.group.MALFORMED,
                                  expert.severity.ERROR)
ill.experts = { malformed }

local DEFAULT_PORTS = "4990,499"
ill.prefs.tcp_ports = Pref.range("TCP ports", DEFAULT_PORTS,
                                 "TCP ports carrying ISO 10161 APDUs (illd's default 4990; ISO ILL's 499)", 65535)

-- ---------------------------------------------------------------------------------------
-- BER reading. A node: cls (0 universal, 1 application, 2 context, 3 private), cons
-- (constructed), tag, start (offset of the tag), val (offset of the value), vend (end of the
-- value), stop (end of the element, after an end-of-contents if indefinite), children.
-- Every function returns nil, status, message on failure: NEED when the bytes may simply not
-- have arrived yet (TCP), BAD when they can never be a valid element.

local NEED, BAD = "need", "bad"
local MAX_APDU_BYTES = 16 * 1024 * 1024  -- beyond any real APDU: refuse, rather than wait for it
local MAX_DEPTH = 40
local MAX_ELEMENTS = 10000

local function read_header(tvb, off, limit)
  local start = off
  if off >= limit then return nil, NEED end
  local b = tvb(off, 1):uint()
  off = off + 1
  local node = { cls = math.floor(b / 64), cons = math.floor(b / 32) % 2 == 1, tag = b % 32, start = start }
  if node.tag == 31 then  -- high tag number form: base-128 digits
    node.tag = 0
    local n = 0
    repeat
      if off >= limit then return nil, NEED end
      local c = tvb(off, 1):uint()
      off = off + 1
      n = n + 1
      if n > 4 then return nil, BAD, "tag number longer than 4 bytes" end
      node.tag = node.tag * 128 + c % 128
    until c < 128
  end
  if off >= limit then return nil, NEED end
  local l = tvb(off, 1):uint()
  off = off + 1
  if l < 128 then
    node.len = l
  elseif l == 128 then
    if not node.cons then return nil, BAD, "indefinite length on a primitive element" end
    node.len = -1
  elseif l == 255 then
    return nil, BAD, "reserved length octet 0xff"
  else
    local n = l - 128
    if n > 4 then return nil, BAD, "length of " .. n .. " bytes" end
    if off + n > limit then return nil, NEED end
    node.len = 0
    for i = 0, n - 1 do node.len = node.len * 256 + tvb(off + i, 1):uint() end
    off = off + n
    if node.len > MAX_APDU_BYTES then return nil, BAD, "length " .. node.len .. " beyond any APDU" end
  end
  node.val = off
  return node
end

local function parse(tvb, off, limit, depth)
  if depth > MAX_DEPTH then return nil, BAD, "nested more than " .. MAX_DEPTH .. " deep" end
  local node, status, msg = read_header(tvb, off, limit)
  if not node then return nil, status, msg end
  if node.len >= 0 then
    node.vend = node.val + node.len
    node.stop = node.vend
    if node.vend > limit then return nil, NEED, nil, node.vend - limit end
    if node.cons then
      node.children = {}
      local p = node.val
      while p < node.vend do
        local child, cstatus, cmsg = parse(tvb, p, node.vend, depth + 1)
        if not child then
          -- Inside a definite length, all the bytes are there: a child that wants more overruns.
          return nil, BAD, cmsg or ("an element overruns its container at byte " .. p)
        end
        node.children[#node.children + 1] = child
        if #node.children > MAX_ELEMENTS then return nil, BAD, "too many elements" end
        p = child.stop
      end
    end
  else
    node.children = {}
    local p = node.val
    while true do
      if p + 2 > limit then return nil, NEED end
      if tvb(p, 1):uint() == 0 and tvb(p + 1, 1):uint() == 0 then
        node.vend = p
        node.stop = p + 2
        break
      end
      local child, cstatus, cmsg, missing = parse(tvb, p, limit, depth + 1)
      if not child then return nil, cstatus, cmsg, missing end
      node.children[#node.children + 1] = child
      if #node.children > MAX_ELEMENTS then return nil, BAD, "too many elements" end
      p = child.stop
    end
  end
  return node
end

-- Helpers over parsed nodes; each returns nil when the element is absent or not as expected.

local function child(node, tag, cls)
  if not node or not node.children then return nil end
  cls = cls or 2
  for _, c in ipairs(node.children) do
    if c.cls == cls and c.tag == tag then return c end
  end
  return nil
end

local function range(tvb, node)
  return tvb(node.start, node.stop - node.start)
end

-- The text of an ILL-String, ISO-Date, ISO-Time...: the first primitive string under node.
local function text(tvb, node)
  if not node then return nil end
  if not node.cons then
    if node.vend == node.val then return "" end
    return tvb(node.val, node.vend - node.val):string(ENC_UTF_8)
  end
  if node.cls == 0 then  -- a constructed (segmented) string: its pieces in order
    local parts = {}
    for _, c in ipairs(node.children) do parts[#parts + 1] = text(tvb, c) or "" end
    return table.concat(parts)
  end
  return text(tvb, node.children[1])
end

-- An INTEGER, ENUMERATED or BOOLEAN value of at most 4 bytes.
local function integer(tvb, node)
  if not node or node.cons or node.vend == node.val or node.vend - node.val > 4 then return nil end
  return tvb(node.val, node.vend - node.val):int()
end

-- A System-Id as illctl prints it: "symbol (name)", or whichever of the two is present.
local function system_id(tvb, node)
  if not node then return nil end
  local symbol = text(tvb, child(node, 0))
  local name = text(tvb, child(node, 1))
  if symbol and name then return symbol .. " (" .. name .. ")" end
  return symbol or name
end

local function named(names, value)
  if value == nil then return nil end
  return (names[value] or "unknown") .. " (" .. value .. ")"
end

-- ---------------------------------------------------------------------------------------
-- One APDU: the fields common to all twenty, then a few per type.

local function add_text(tree, field, tvb, node, value)
  if node and value then tree:add(field, range(tvb, node), value) end
end

local function dissect_apdu(tvb, apdu, tree)
  local kind = apdu.tag
  local name = APDU_NAMES[kind]
  local item = tree:add(ill, range(tvb, apdu))
  item:append_text(", " .. name)
  item:add(f.apdu, range(tvb, apdu), name)
  item:add(f.tag, range(tvb, apdu), kind)
  local seq = apdu.children and apdu.children[1]
  if not seq or seq.cls ~= 0 or seq.tag ~= 16 then
    item:add_proto_expert_info(malformed, name .. ": no SEQUENCE inside the APPLICATION tag")
    return name
  end

  local version = child(seq, 0)
  if version then item:add(f.version, range(tvb, version), integer(tvb, version) or -1) end

  local info = name
  local tid = child(seq, 1)
  if tid then
    local initial = system_id(tvb, child(tid, 0))
    local group = text(tvb, child(tid, 1)) or ""
    local qualifier = text(tvb, child(tid, 2)) or ""
    local sub = text(tvb, child(tid, 3))
    local label = (initial and initial .. "/" or "") .. group .. "/" .. qualifier .. (sub and "/" .. sub or "")
    local t = item:add(f.transaction_id, range(tvb, tid), label)
    add_text(t, f.initial_requester, tvb, child(tid, 0), initial)
    add_text(t, f.group_qualifier, tvb, child(tid, 1), group)
    add_text(t, f.qualifier, tvb, child(tid, 2), qualifier)
    add_text(t, f.sub_qualifier, tvb, child(tid, 3), sub)
    info = info .. " " .. label
  else
    item:add_proto_expert_info(malformed, name .. ": no transaction-id")
  end

  local sdt = child(seq, 2)
  local this = child(sdt, 0)
  if this then
    local date = text(tvb, child(this, 0)) or ""
    local time = text(tvb, child(this, 1))
    item:add(f.service_date_time, range(tvb, sdt), date .. (time and " " .. time or ""))
  end

  local requester = system_id(tvb, child(seq, 3))
  local responder = system_id(tvb, child(seq, 4))
  add_text(item, f.requester_id, tvb, child(seq, 3), requester)
  add_text(item, f.responder_id, tvb, child(seq, 4), responder)
  local intermediary = system_id(tvb, child(seq, 25))
  local sender, recipient
  if kind == 2 then
    sender, recipient = intermediary and intermediary .. " (intermediary)", requester and requester .. " (requester)"
  elseif REQUESTER_SENDS[kind] then
    sender, recipient = requester and requester .. " (requester)", responder and responder .. " (responder)"
  elseif RESPONDER_SENDS[kind] then
    sender, recipient = responder and responder .. " (responder)", requester and requester .. " (requester)"
  end
  if sender then item:add(f.sender, sender):set_generated() end
  if recipient then item:add(f.recipient, recipient):set_generated() end
  add_text(item, f.intermediary_id, tvb, child(seq, 25), intermediary)

  if kind == 1 then  -- ILL-Request: the item asked for
    local item_id = child(seq, 16)
    add_text(item, f.title, tvb, child(item_id, 4), text(tvb, child(item_id, 4)))
    add_text(item, f.author, tvb, child(item_id, 3), text(tvb, child(item_id, 3)))
  elseif kind == 3 then  -- Shipped: service type, date shipped, date due
    local sst = child(seq, 27)
    if sst then item:add(f.shipped_service_type, range(tvb, sst), integer(tvb, sst) or 0) end
    local details = child(seq, 29)
    add_text(item, f.date_shipped, tvb, child(details, 0), text(tvb, child(details, 0)))
    local due = child(details, 1)
    add_text(item, f.date_due, tvb, due, text(tvb, child(due, 0)))
  elseif kind == 4 then  -- ILL-Answer: results and, for unfilled, why
    local results = child(seq, 31)
    if results then
      local value = integer(tvb, results) or 0
      item:add(f.transaction_results, range(tvb, results), value)
      info = info .. " " .. (TRANSACTION_RESULTS[value] or tostring(value))
    end
    local unfilled = child(child(seq, 32), 3)
    local reason = child(child(unfilled, 16, 0), 0)  -- [3] is explicit: a SEQUENCE inside it
    if reason then item:add(f.reason_unfilled, range(tvb, reason), integer(tvb, reason) or 0) end
  elseif kind == 5 or kind == 7 or kind == 14 then  -- Conditional-Reply, Cancel-Reply, Renew-Answer
    local answer = child(seq, 35)
    if answer then item:add(f.answer, range(tvb, answer), (integer(tvb, answer) or 0) ~= 0) end
    local due = child(seq, 41)
    add_text(item, f.date_due, tvb, due, text(tvb, child(due, 0)))
  elseif kind == 8 or kind == 10 or kind == 11 then  -- date received, returned, checked in
    local tag = ({ [8] = 36, [10] = 37, [11] = 40 })[kind]
    add_text(item, f.event_date, tvb, child(seq, tag), text(tvb, child(seq, tag)))
  elseif kind == 12 then  -- Overdue
    local due = child(seq, 41)
    add_text(item, f.date_due, tvb, due, text(tvb, child(due, 0)))
  elseif kind == 19 then  -- Status-Or-Error-Report
    local no_report = child(seq, 43)
    if no_report then item:add(f.reason_no_report, range(tvb, no_report), integer(tvb, no_report) or 0) end
    local provider_status = child(child(seq, 44), 1)
    if provider_status then
      item:add(f.provider_status, range(tvb, provider_status), integer(tvb, provider_status) or 0)
    end
    local err = child(seq, 45)
    local source = child(err, 1)
    if source then item:add(f.report_source, range(tvb, source), integer(tvb, source) or 0) end
    local provider = child(err, 3)
    local choice = provider and provider.children and provider.children[1]
    if choice and choice.tag == 0 then
      item:add(f.problem, range(tvb, choice), "general-problem " .. named(GENERAL_PROBLEM, integer(tvb, choice)))
    elseif choice and choice.tag == 1 then
      item:add(f.problem, range(tvb, choice),
               "transaction-id-problem " .. named(TRANSACTION_ID_PROBLEM, integer(tvb, choice)))
    elseif choice and choice.tag == 2 then
      local apdu_type = integer(tvb, child(choice, 0))
      local state = integer(tvb, child(choice, 1))
      item:add(f.problem, range(tvb, choice), "state-transition-prohibited: " ..
               (APDU_NAMES[apdu_type] or tostring(apdu_type)) .. " in " .. (CURRENT_STATE[state] or tostring(state)))
    end
    local user = child(err, 2)
    local uchoice = user and user.children and user.children[1]
    if uchoice and uchoice.tag == 3 then
      item:add(f.problem, range(tvb, uchoice), "unable-to-perform " .. named(UNABLE_TO_PERFORM, integer(tvb, uchoice)))
    elseif uchoice then
      item:add(f.problem, range(tvb, uchoice), "user error report [" .. uchoice.tag .. "]")
    end
  end
  local note = child(seq, 46)
  add_text(item, f.note, tvb, note, text(tvb, note))
  return info
end

-- ---------------------------------------------------------------------------------------
-- The TCP stream: as many whole APDUs as the bytes hold; ask TCP for more when the last one
-- is cut; mark what can never be an APDU as malformed and skip the rest of the segment (the
-- stream has no resynchronisation point).

function ill.dissector(tvb, pinfo, tree)
  local length = tvb:len()
  local off = 0
  local infos = {}
  while off < length do
    local first = tvb(off, 1):uint()
    local apdu, status, msg, missing
    if math.floor(first / 32) ~= 3 then  -- APPLICATION class, constructed (0x60..0x7f)
      status, msg = BAD, string.format("byte 0x%02x cannot start an ISO ILL APDU", first)
    else
      apdu, status, msg, missing = parse(tvb, off, length, 0)
      if apdu and not APDU_NAMES[apdu.tag] then
        apdu, status, msg = nil, BAD, "[APPLICATION " .. apdu.tag .. "] is not an ISO ILL APDU (1..20)"
      end
    end
    if not apdu and status == NEED then
      pinfo.desegment_offset = off
      pinfo.desegment_len = missing or DESEGMENT_ONE_MORE_SEGMENT
      break
    end
    pinfo.cols.protocol = "ISO-ILL"
    if not apdu then
      local item = tree:add(ill, tvb(off, length - off))
      item:append_text(", malformed")
      item:add_proto_expert_info(malformed, msg or "not an ISO ILL APDU")
      infos[#infos + 1] = "Malformed"
      off = length
      break
    end
    local ok, info = pcall(dissect_apdu, tvb, apdu, tree)
    if not ok then
      local item = tree:add(ill, range(tvb, apdu))
      item:add_proto_expert_info(malformed, "cannot read the APDU: " .. tostring(info))
      info = "Malformed " .. (APDU_NAMES[apdu.tag] or "")
    end
    infos[#infos + 1] = info
    off = apdu.stop
  end
  if #infos > 0 then pinfo.cols.info:set(table.concat(infos, "; ")) end
  return length
end

local tcp_port = DissectorTable.get("tcp.port")
local registered = DEFAULT_PORTS
tcp_port:add(registered, ill)

function ill.prefs_changed()
  if ill.prefs.tcp_ports ~= registered then
    tcp_port:remove(registered, ill)
    registered = ill.prefs.tcp_ports
    tcp_port:add(registered, ill)
  end
end
