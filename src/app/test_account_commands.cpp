#include "app/test_account_commands.h"

#include <fmt/format.h>

#include <iostream>

#include "app/command_store.h"
#include "app/inbox_settings.h"
#include "core/time_format.h"
#include "inbox/accounts.h"

namespace postern::app {
namespace {

constexpr std::size_t kListPage = 500;

struct InboxCommand {
  std::unique_ptr<CommandStore> store;
  std::unique_ptr<inbox::AccountService> accounts;
};

std::optional<InboxCommand> open_inbox(const Config& config) {
  auto s = open_command_store(config);
  if (!s) return std::nullopt;
  InboxCommand c{std::move(s), nullptr};
  c.accounts = std::make_unique<inbox::AccountService>(c.store->store->inbox(), c.store->clock,
                                                       config.inbox);
  return c;
}

std::string endpoint_line(const inbox::ServiceEndpoint& e) {
  if (e.host.empty()) return "(no listener)";
  return fmt::format("{}\tsecure={}{}", inbox::host_and_port(e), e.secure,
                     e.live ? "" : "\t(not served by this node yet)");
}

}  // namespace

int test_accounts_create(const Config& config, const std::optional<std::string>& retention,
                         const std::optional<std::string>& quota) {
  auto c = open_inbox(config);
  if (!c) return 1;
  auto terms = c->accounts->terms({retention, quota});
  if (!terms) {
    std::cerr << "postern: --" << terms.error().field << ": " << terms.error().message << "\n";
    return 2;
  }
  auto created =
      await_write<inbox::CreatedAccount>([&](auto done) { c->accounts->create(*terms, done); });
  if (!created) return report_write(created.error(), "test account", "");
  // Offline, the wildcard addresses are reached as localhost.
  auto settings = inbox::for_client(inbox_client_settings(config, nullptr), "");
  const auto& a = created->account;
  std::cerr << "created test account '" << a.user << "'; its password is shown once, below:\n";
  std::cout << "user\t" << a.user << "\npassword\t" << created->password << "\naddress\t"
            << a.address << "\nsmtp\t" << endpoint_line(settings.smtp) << "\nimap\t"
            << endpoint_line(settings.imap) << "\npop3\t" << endpoint_line(settings.pop3)
            << "\nweb\t" << inbox::web_url(settings.http) << "\nretention\t" << a.retention.count()
            << "s\nquota\t" << a.quota_bytes << " bytes" << std::endl;
  return 0;
}

int test_accounts_list(const Config& config) {
  auto c = open_inbox(config);
  if (!c) return 1;
  store::AccountId before = 0;
  for (;;) {
    auto page = c->accounts->list(before, kListPage);
    if (!page) {
      std::cerr << "postern: cannot read the store: " << page.error().message() << "\n";
      return 1;
    }
    for (const auto& a : *page) {
      std::cout << a.user << "\t" << a.address << "\t" << format_rfc3339(a.created_at) << "\t"
                << (a.catch_all ? "never" : format_rfc3339(a.last_used_at + a.retention)) << "\t"
                << a.used_bytes << "/" << a.quota_bytes << "\n";
    }
    if (page->size() < kListPage) return 0;
    before = page->back().id;
  }
}

int test_accounts_delete(const Config& config, const std::string& user) {
  auto c = open_inbox(config);
  if (!c) return 1;
  auto r = await_write<void>([&](auto done) { c->accounts->remove(user, done); });
  return report_write(r ? error_code() : r.error(), "test account", user);
}

}  // namespace postern::app
