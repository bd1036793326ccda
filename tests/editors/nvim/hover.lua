-- Run by test_neovim.py in headless Neovim on the fixture's main.tex: waits for scholia's
-- diagnostics, hovers a citation key, and writes what the client received to $SCHOLIA_OUT,
-- one `kind: text` line each. It always quits, so a failure shows up as missing lines.
local commands = require("scholia.commands")

local out = assert(os.getenv("SCHOLIA_OUT"), "SCHOLIA_OUT not set")
local TIMEOUT_MS = 20000
local KEY = "krizhevsky2012"
-- An entry with an abstract: its hover gains a TL;DR once the models have computed it.
local SUMMARISED_KEY = "lecun2015"
-- The server may announce no command yet, so a stand-in client announces these.
local STAND_IN_COMMANDS = { "scholia.draftAbstract", "scholia.relatedWork" }
local lines = {}

local function log(kind, text)
  table.insert(lines, kind .. ": " .. (text:gsub("\n", " ")))
end

local function has_codes(codes)
  local seen = {}
  for _, d in ipairs(vim.diagnostic.get()) do
    seen[d.code or ""] = true
  end
  return #vim.tbl_filter(function(c) return seen[c] end, codes) == #codes
end

local function scholia_client(bufnr)
  local clients = vim.lsp.get_clients and vim.lsp.get_clients({ bufnr = bufnr }) or vim.lsp.buf_get_clients(bufnr)
  for _, client in pairs(clients) do
    if client.name == "scholia" then
      return client
    end
  end
end

local function key_position(bufnr, key)
  for lnum, text in ipairs(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)) do
    local col = text:find(key, 1, true)
    if col then
      -- `col` is 1-based, so this points one character into the key.
      return { line = lnum - 1, character = col }
    end
  end
  error(key .. " not found in the buffer")
end

local function hover_value(bufnr, key)
  local params = { textDocument = { uri = vim.uri_from_bufnr(bufnr) }, position = key_position(bufnr, key) }
  for _, response in pairs(vim.lsp.buf_request_sync(bufnr, "textDocument/hover", params, TIMEOUT_MS) or {}) do
    local contents = response.result and response.result.contents
    return type(contents) == "table" and contents.value or tostring(contents)
  end
  return ""
end

-- Hovers until the TL;DR line (or the reason there is none) shows up.
local function log_tldr(bufnr)
  local found
  vim.wait(TIMEOUT_MS * 3, function()
    local value = hover_value(bufnr, SUMMARISED_KEY)
    found = value:match("%*%*TL;DR%*%* ([^\n]+)") or value:match("%*TL;DR unavailable[^\n]*")
    return found ~= nil
  end, 250)
  log("tldr", found or "none")
end

-- One line per command `client` announces: its user command and whether the buffer has it.
local function log_commands(bufnr, client)
  local provider = client.server_capabilities.executeCommandProvider or {}
  local defined = vim.api.nvim_buf_get_commands(bufnr, {})
  for _, command in ipairs(provider.commands or {}) do
    local name = commands.user_command_name(command)
    log("command", string.format("%s :%s %s", command, name, defined[name] and "defined" or "missing"))
  end
end

local function run()
  local bufnr = vim.api.nvim_get_current_buf()
  -- method.tex (not open) gets undefined-key, refs.bib duplicate-key: both published.
  if not vim.wait(TIMEOUT_MS, function() return has_codes({ "undefined-key", "duplicate-key" }) end, 50) then
    log("error", "timed out waiting for diagnostics")
  end
  log("hover", hover_value(bufnr, KEY))
  log_tldr(bufnr)
  for _, d in ipairs(vim.diagnostic.get()) do
    local file = vim.fn.fnamemodify(vim.api.nvim_buf_get_name(d.bufnr), ":t")
    log("diagnostic", string.format("%s:%d:%s:%s", file, d.lnum + 1, tostring(d.code), d.message))
  end
  local client = assert(scholia_client(bufnr), "scholia is not attached")
  log("attached", client.name)
  log_commands(bufnr, client)
  local stand_in = { server_capabilities = { executeCommandProvider = { commands = STAND_IN_COMMANDS } } }
  commands.attach(stand_in, bufnr)
  log_commands(bufnr, stand_in)
end

local ok, err = pcall(run)
if not ok then
  log("error", tostring(err))
end
vim.fn.writefile(lines, out)
vim.cmd("qa!")
