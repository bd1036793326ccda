-- Minimal init for test_neovim.py: nothing but scholia's Neovim module, pointed at the
-- binary under test, with the settings section the test passes as JSON.
-- SCHOLIA_NVIM_START=legacy takes the 0.8-0.10 path (vim.lsp.start) on a newer Neovim.
vim.opt.runtimepath:prepend(assert(os.getenv("SCHOLIA_NVIM"), "SCHOLIA_NVIM not set"))
local scholia = require("scholia")
local opts = {
  cmd = { assert(os.getenv("SCHOLIA_BIN"), "SCHOLIA_BIN not set"), "lsp" },
  settings = vim.json.decode(os.getenv("SCHOLIA_SETTINGS") or "{}"),
}
if os.getenv("SCHOLIA_NVIM_START") == "legacy" then
  require("scholia.legacy").enable(scholia.config(opts))
else
  scholia.setup(opts)
end
