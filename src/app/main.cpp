// postern: the gateway's single binary. `postern serve` runs the gateway;
// the other commands manage credentials and check configuration.
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <optional>

#include "app/admin_commands.h"
#include "app/logging.h"
#include "app/routing_commands.h"
#include "app/server.h"
#include "app/test_account_commands.h"
#include "auth/authenticator.h"
#include "auth/credentials.h"
#include "mime/mime.h"
#include "store/open_store.h"

namespace {

std::optional<postern::app::Config> load(const std::string& path) {
  auto config = postern::app::load_config(path, postern::process_environment());
  if (!config) {
    std::cerr << "postern: configuration error" << (path.empty() ? "" : " in " + path) << ": "
              << config.error().to_string() << "\n";
    return std::nullopt;
  }
  return std::move(*config);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"Postern: a failure-resistant email gateway"};
  cli.require_subcommand(1);
  // --config belongs to every command and may come before or after it
  // (`postern --config F serve` and `postern serve --config F`, as the
  // README shows): an option a subcommand does not know falls through to
  // its parent. Subcommands inherit fallthrough, so set here it covers
  // every command, nested ones and those to come.
  cli.fallthrough();
  std::string config_path;
  cli.add_option("-c,--config", config_path,
                 "TOML configuration file (defaults serve without one)");

  auto* serve = cli.add_subcommand("serve", "Run the gateway");
  auto* check = cli.add_subcommand(
      "config", "Check the configuration and print the effective values of key settings");

  auto* keys = cli.add_subcommand("keys", "Manage API keys");
  keys->require_subcommand(1);
  std::string key_name;
  std::vector<std::string> scopes = {"send"};
  auto* keys_create = keys->add_subcommand("create", "Create a key; prints its secret once");
  keys_create->add_option("--name", key_name, "Key name")->required();
  keys_create->add_option("--scopes", scopes, postern::auth::scope_list())->delimiter(',');
  std::string key_account;
  keys_create->add_option("--test-account", key_account,
                          "Bind the key to this test account: it may only send, and its mail "
                          "is caught into the account's INBOX, never relayed");
  std::string key_expires_in;
  keys_create->add_option("--expires-in", key_expires_in,
                          "The key stops working this long from now (30d, 12h, 90m)");
  auto* keys_list = keys->add_subcommand(
      "list", "List keys (never their secrets), with their expiry and last use");
  auto* keys_rotate = keys->add_subcommand(
      "rotate", "Give a key a new secret (printed once); the old one works for a grace period");
  keys_rotate->add_option("name", key_name, "Key name")->required();
  std::string key_grace = "24h";
  keys_rotate->add_option("--grace", key_grace,
                          "How long the previous secret keeps working (default 24h; 0: none)");
  auto* keys_delete = keys->add_subcommand("delete", "Delete a key");
  keys_delete->add_option("name", key_name, "Key name")->required();

  auto* users = cli.add_subcommand("users", "Manage SMTP users (passwords hashed with Argon2id)");
  users->require_subcommand(1);
  std::string user_name, password;
  auto* users_create =
      users->add_subcommand("create", "Create an SMTP user; the password is read from stdin");
  users_create->add_option("--name", user_name, "User name")->required();
  users_create->add_option("--password", password,
                           "Password (prefer stdin: it stays out of the process list)");
  users_create->add_option("--scopes", scopes, postern::auth::scope_list())->delimiter(',');
  auto* users_list = users->add_subcommand("list", "List SMTP users");
  auto* users_delete = users->add_subcommand("delete", "Delete an SMTP user");
  users_delete->add_option("name", user_name, "User name")->required();

  auto* accounts = cli.add_subcommand("test-accounts", "Manage the test inbox's accounts");
  accounts->require_subcommand(1);
  std::optional<std::string> retention, quota;
  std::string account_user;
  auto* accounts_create = accounts->add_subcommand(
      "create", "Create a test account; prints its password once, with the settings to use");
  accounts_create->add_option(
      "--retention", retention,
      "How long its mail is kept, e.g. 3d (default and most: inbox.retention)");
  accounts_create->add_option("--quota", quota,
                              "Its size limit, e.g. 10MiB (default and most: inbox.quota)");
  auto* accounts_list =
      accounts->add_subcommand("list", "List test accounts (never their passwords)");
  auto* accounts_delete = accounts->add_subcommand("delete", "Delete a test account and its mail");
  accounts_delete->add_option("user", account_user, "User name")->required();

  auto* suppressions =
      cli.add_subcommand("suppressions", "Manage the suppression list (docs/events.md)");
  suppressions->require_subcommand(1);
  std::vector<std::string> addresses;
  std::string address, reason, detail, file;
  auto* suppressions_list =
      suppressions->add_subcommand("list", "List the suppressed addresses, one a line");
  auto* suppressions_add = suppressions->add_subcommand("add", "Suppress addresses");
  suppressions_add->add_option("addresses", addresses, "Addresses")->required();
  suppressions_add->add_option("--reason", reason,
                               "bounced, complained, inactive or manual (default)");
  suppressions_add->add_option("--detail", detail, "Why, in words");
  auto* suppressions_remove =
      suppressions->add_subcommand("remove", "Take an address off the suppression list");
  suppressions_remove->add_option("address", address, "Address")->required();
  auto* suppressions_import = suppressions->add_subcommand(
      "import", "Add the addresses of a CSV file (header row naming address, ...)");
  suppressions_import->add_option("file", file, "CSV file, or - for stdin")->required();
  auto* suppressions_export = suppressions->add_subcommand("export", "Write the whole list as CSV");
  suppressions_export->add_option("file", file, "CSV file (default: stdout)");

  auto* routing =
      cli.add_subcommand("routing", "Providers and routing changed at run time (docs/routing.md)");
  routing->require_subcommand(1);
  auto* routing_list =
      routing->add_subcommand("list", "List what the store keeps (never secret values)");
  auto* routing_reset = routing->add_subcommand(
      "reset", "Drop every run-time change: the next start uses the file alone");

  CLI11_PARSE(cli, argc, argv);

  auto config = load(config_path);
  if (!config) return 2;
  postern::app::configure_logging(config->log);
  if (!postern::auth::init_crypto()) {
    std::cerr << "postern: cannot initialise libsodium\n";
    return 1;
  }
  if (*serve) {
    postern::mime::init();
    int rc = postern::app::serve(*config);
    postern::mime::shutdown();
    return rc;
  }
  if (*check) {
    std::cout << "configuration ok\nhttp.listen = " << config->http.listen
              << "\nsmtp.listen = " << config->smtp.server.listen
              << "\nstore.backend = " << config->store.backend
              << (config->store.on_postgres() ? "\nstore.url = " : "\nstore.path = ")
              << postern::store::store_location(config->store)
              << "\nrouting.strategy = " << config->routing.router.strategy
              << "\nproviders = " << config->routing.providers.size() << "\n";
    return 0;
  }
  if (*keys_create)
    return postern::app::keys_create(*config, key_name, scopes, key_account, key_expires_in);
  if (*keys_rotate) return postern::app::keys_rotate(*config, key_name, key_grace);
  if (*keys_list) return postern::app::keys_list(*config);
  if (*keys_delete) return postern::app::keys_delete(*config, key_name);
  if (*users_create) return postern::app::users_create(*config, user_name, password, scopes);
  if (*users_list) return postern::app::users_list(*config);
  if (*users_delete) return postern::app::users_delete(*config, user_name);
  if (*accounts_create) return postern::app::test_accounts_create(*config, retention, quota);
  if (*accounts_list) return postern::app::test_accounts_list(*config);
  if (*accounts_delete) return postern::app::test_accounts_delete(*config, account_user);
  if (*suppressions_list) return postern::app::suppressions_list(*config);
  if (*suppressions_add) return postern::app::suppressions_add(*config, addresses, reason, detail);
  if (*suppressions_remove) return postern::app::suppressions_remove(*config, address);
  if (*suppressions_import) return postern::app::suppressions_import(*config, file);
  if (*suppressions_export) return postern::app::suppressions_export(*config, file);
  if (*routing_list) return postern::app::routing_list(*config);
  if (*routing_reset) return postern::app::routing_reset(*config);
  return 0;
}
