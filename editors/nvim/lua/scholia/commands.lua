-- User commands for the server's workspace/executeCommand commands, made from what the
-- server announces: scholia.draftAbstract becomes :ScholiaDraftAbstract. A command the
-- server gains needs no change here.
local M = {}

--- "scholia.draftAbstract" -> "ScholiaDraftAbstract"
function M.user_command_name(command)
  local parts = vim.split(command, ".", { plain = true })
  for i, part in ipairs(parts) do
    parts[i] = part:sub(1, 1):upper() .. part:sub(2)
  end
  return table.concat(parts)
end

-- Short results go to the message area, long ones to a scratch split.
local function show(command, result)
  if result == nil or result == vim.NIL then
    return
  end
  local text = type(result) == "string" and result or vim.inspect(result)
  local lines = vim.split(text, "\n", { plain = true })
  if #lines == 1 and #text <= 200 then
    vim.notify(command .. ": " .. text)
    return
  end
  vim.cmd("new")
  vim.api.nvim_buf_set_lines(0, 0, -1, false, lines)
  vim.bo.buftype, vim.bo.bufhidden, vim.bo.swapfile = "nofile", "wipe", false
  vim.bo.filetype = type(result) == "string" and "markdown" or "lua"
end

-- Client methods take `self` from 0.11 on; before, they are plain functions.
local function request(client, method, params, handler, bufnr)
  if vim.fn.has("nvim-0.11") == 1 then
    return client:request(method, params, handler, bufnr)
  end
  return client.request(method, params, handler, bufnr)
end

--- Runs `command` on the server with the cursor's position (the commands also work without).
function M.run(client, command, bufnr)
  local params = {
    command = command,
    arguments = { vim.lsp.util.make_position_params(0, client.offset_encoding) },
  }
  request(client, "workspace/executeCommand", params, function(err, result)
    if err then
      vim.notify(command .. " failed: " .. (err.message or vim.inspect(err)), vim.log.levels.ERROR)
    else
      show(command, result)
    end
  end, bufnr)
end

function M.attach(client, bufnr)
  local provider = client.server_capabilities.executeCommandProvider or {}
  for _, command in ipairs(provider.commands or {}) do
    vim.api.nvim_buf_create_user_command(bufnr, M.user_command_name(command), function()
      M.run(client, command, bufnr)
    end, { desc = "scholia: " .. command })
  end
end

return M
