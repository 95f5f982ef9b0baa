#include "app/admin_commands.h"

#include <future>
#include <iostream>

#include "auth/authenticator.h"
#include "auth/credentials.h"
#include "core/time_format.h"
#include "store/sqlite/sqlite_store.h"

namespace postern::app {
namespace {

struct OpenStore {
  SystemClock clock;
  MetricsRegistry metrics;
  std::unique_ptr<store::Store> store;
};

std::unique_ptr<OpenStore> open_store(const Config& config) {
  auto s = std::make_unique<OpenStore>();
  // One command's few writes and reads, beside a server that may run on
  // the same store: a small queue and one reader suffice.
  auto opened = store::sqlite::SqliteStore::open(
      {.path = config.store.path, .max_batch = 64, .max_queue = 1024, .readers = 1}, s->clock,
      s->metrics);
  if (!opened) {
    std::cerr << "postern: cannot open the store at " << config.store.path << ": "
              << opened.error().message() << "\n";
    return nullptr;
  }
  s->store = std::move(*opened);
  return s;
}

// Runs one store write and waits for its durable answer.
template <class Start>
Result<void> write(Start start) {
  std::promise<Result<void>> done;
  start([&done](Result<void> r) { done.set_value(r); });
  return done.get_future().get();
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ",") + i;
  return out;
}

int report(const Result<void>& r, const std::string& what, const std::string& name) {
  if (r) return 0;
  if (r.error() == Errc::conflict)
    std::cerr << "postern: a " << what << " named '" << name << "' exists\n";
  else if (r.error() == Errc::not_found)
    std::cerr << "postern: no " << what << " named '" << name << "'\n";
  else
    std::cerr << "postern: cannot write the store: " << r.error().message() << "\n";
  return 1;
}

}  // namespace

int keys_create(const Config& config, const std::string& name,
                const std::vector<std::string>& scopes) {
  auto parsed = auth::parse_scopes(scopes);
  if (!parsed) {
    std::cerr << "postern: " << parsed.error().message << "\n";
    return 2;
  }
  auto s = open_store(config);
  if (!s) return 1;
  auto secret = auth::generate_api_secret();
  store::StoredApiKey key{{name, parsed->names(), s->clock.now()}, auth::hash_api_secret(secret)};
  auto r = write([&](auto done) { s->store->create_api_key(std::move(key), done); });
  if (int rc = report(r, "key", name)) return rc;
  std::cerr << "created key '" << name << "' with scopes " << joined(parsed->names())
            << "; its secret is shown once, below:\n";
  std::cout << secret << std::endl;
  return 0;
}

int keys_list(const Config& config) {
  auto s = open_store(config);
  if (!s) return 1;
  auto keys = s->store->list_api_keys();
  if (!keys) return 1;
  for (const auto& k : *keys) {
    std::cout << k.key.name << "\t" << joined(k.key.scopes) << "\t"
              << format_rfc3339(k.key.created_at) << "\n";
  }
  return 0;
}

int keys_delete(const Config& config, const std::string& name) {
  auto s = open_store(config);
  if (!s) return 1;
  return report(write([&](auto done) { s->store->delete_api_key(name, done); }), "key", name);
}

int users_create(const Config& config, const std::string& name, std::string password,
                 const std::vector<std::string>& scopes) {
  auto parsed = auth::parse_scopes(scopes);
  if (!parsed) {
    std::cerr << "postern: " << parsed.error().message << "\n";
    return 2;
  }
  if (password.empty()) std::getline(std::cin, password);
  if (password.size() < 8) {
    std::cerr << "postern: the password must have at least 8 characters\n";
    return 2;
  }
  auto hash = auth::hash_password(password);
  if (!hash) {
    std::cerr << "postern: cannot hash the password\n";
    return 1;
  }
  auto s = open_store(config);
  if (!s) return 1;
  store::SmtpUser user{name, *hash, parsed->names(), s->clock.now()};
  auto r = write([&](auto done) { s->store->create_smtp_user(std::move(user), done); });
  if (int rc = report(r, "user", name)) return rc;
  std::cerr << "created SMTP user '" << name << "' with scopes " << joined(parsed->names()) << "\n";
  return 0;
}

int users_list(const Config& config) {
  auto s = open_store(config);
  if (!s) return 1;
  auto users = s->store->list_smtp_users();
  if (!users) return 1;
  for (const auto& u : *users)
    std::cout << u.name << "\t" << joined(u.scopes) << "\t" << format_rfc3339(u.created_at) << "\n";
  return 0;
}

int users_delete(const Config& config, const std::string& name) {
  auto s = open_store(config);
  if (!s) return 1;
  return report(write([&](auto done) { s->store->delete_smtp_user(name, done); }), "user", name);
}

}  // namespace postern::app
