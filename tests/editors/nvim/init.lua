-- Minimal init for test_neovim.py: nothing but scholia's Neovim module, pointed at the
-- binary under test, with the settings section the test passes as JSON.
vim.opt.runtimepath:prepend(assert(os.getenv("SCHOLIA_NVIM"), "SCHOLIA_NVIM not set"))
require("scholia").setup({
  cmd = { assert(os.getenv("SCHOLIA_BIN"), "SCHOLIA_BIN not set"), "lsp" },
  settings = vim.json.decode(os.getenv("SCHOLIA_SETTINGS") or "{}"),
})
