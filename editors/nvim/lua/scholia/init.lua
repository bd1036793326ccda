-- scholia for Neovim: starts `scholia lsp` for manuscripts and bibliographies.
-- Neovim 0.11+ goes through vim.lsp.config/vim.lsp.enable; 0.7 to 0.10 through
-- scholia.legacy (a FileType autocommand that starts or reuses a client per root).
local commands = require("scholia.commands")

local M = {}

M.defaults = {
  cmd = { "scholia", "lsp" },
  filetypes = { "tex", "plaintex", "bib", "markdown", "pandoc", "rmd", "quarto" },
  -- The first folder upwards holding one of these is the workspace folder.
  root_markers = { "scholia.toml", ".latexmkrc", "latexmkrc", ".git" },
  -- The `scholia` settings section (keys as in editors/settings.json).
  settings = {},
  -- capabilities = ...: client capabilities (say, from a completion plugin); default Neovim's.
  -- on_attach = function(client, bufnr) end: called after scholia's own, which adds
  -- the :Scholia... commands.
}

-- An empty Lua table would reach the server as a JSON list; the section is an object.
local function section(settings)
  return next(settings) and settings or vim.empty_dict()
end

--- The client configuration for `opts` (see M.defaults).
function M.config(opts)
  opts = vim.tbl_deep_extend("force", M.defaults, opts or {})
  local scholia = section(opts.settings)
  return {
    name = "scholia",
    cmd = opts.cmd,
    filetypes = opts.filetypes,
    root_markers = opts.root_markers,
    capabilities = opts.capabilities,
    -- Answered to workspace/configuration; init_options serve clients that pull nothing.
    settings = { scholia = scholia },
    init_options = scholia,
    on_attach = function(client, bufnr)
      commands.attach(client, bufnr)
      if opts.on_attach then
        opts.on_attach(client, bufnr)
      end
    end,
  }
end

function M.setup(opts)
  local config = M.config(opts)
  if vim.fn.has("nvim-0.11") == 1 then
    vim.lsp.config("scholia", config)
    vim.lsp.enable("scholia")
  else
    require("scholia.legacy").enable(config)
  end
end

return M
