// The whole extension: start `drmigrate server` over stdio for the languages drmigrate reads.
// Diagnostics, code actions and hover come from the server; nothing else happens here.
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

const LANGUAGES = ["javascript", "javascriptreact", "typescript", "typescriptreact", "php", "python",
  "html", "twig", "erb", "vue", "svelte", "astro"];
let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration("drmigrate").get("path") || "drmigrate";
  client = new LanguageClient("drmigrate", "drmigrate",
    { command, args: ["server"] },
    { documentSelector: LANGUAGES.map((language) => ({ scheme: "file", language })) });
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
