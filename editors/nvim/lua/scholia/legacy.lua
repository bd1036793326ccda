-- Starting scholia on Neovim 0.7 to 0.10, which lack vim.lsp.config/vim.lsp.enable:
-- a FileType autocommand finds the root and starts or reuses the client for it.
local M = {}

-- Client ids by root folder, for 0.7 (vim.lsp.start, 0.8+, reuses clients itself).
local started = {}

local function find_root(file, markers)
  local dir = vim.fn.fnamemodify(file, ":p:h")
  while true do
    for _, marker in ipairs(markers) do
      if vim.loop.fs_stat(dir .. "/" .. marker) then
        return dir
      end
    end
    local parent = vim.fn.fnamemodify(dir, ":h")
    if parent == dir then
      return nil
    end
    dir = parent
  end
end

local function attach(config, bufnr)
  local file = vim.api.nvim_buf_get_name(bufnr)
  if file == "" or vim.bo[bufnr].buftype ~= "" then
    return
  end
  local root = find_root(file, config.root_markers) or vim.fn.fnamemodify(file, ":p:h")
  local client_config = vim.tbl_extend("force", config, { root_dir = root })
  if vim.lsp.start then
    vim.lsp.start(client_config, { bufnr = bufnr })
    return
  end
  local id = started[root]
  if not (id and vim.lsp.get_client_by_id(id)) then
    id = vim.lsp.start_client(client_config)
    started[root] = id
  end
  if id then
    vim.lsp.buf_attach_client(bufnr, id)
  end
end

function M.enable(config)
  local group = vim.api.nvim_create_augroup("scholia", { clear = true })
  vim.api.nvim_create_autocmd("FileType", {
    group = group,
    pattern = config.filetypes,
    callback = function(args)
      attach(config, args.buf)
    end,
  })
  -- Buffers opened before setup() (say, by a lazy plugin manager) get a client too.
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) and vim.tbl_contains(config.filetypes, vim.bo[bufnr].filetype) then
      attach(config, bufnr)
    end
  end
end

return M
