#include "app/admin_commands.h"

#include <fstream>
#include <iostream>

#include "app/command_store.h"
#include "app/suppression_commands.h"
#include "auth/api_keys.h"
#include "auth/credentials.h"
#include "core/config_values.h"
#include "core/time_format.h"

namespace postern::app {
namespace {

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ",") + i;
  return out;
}

// Runs one store write and waits for its durable answer.
template <class Start>
Result<void> write(Start start) {
  return await_write<void>(std::move(start));
}

int report(const Result<void>& r, const std::string& what, const std::string& name) {
  return report_write(r ? error_code() : r.error(), what, name);
}

}  // namespace

int keys_create(const Config& config, const std::string& name,
                const std::vector<std::string>& scopes, const std::string& test_account,
                const std::string& expires_in) {
  auto parsed = auth::parse_scopes(scopes);
  if (!parsed) {
    std::cerr << "postern: " << parsed.error().message << "\n";
    return 2;
  }
  std::optional<std::chrono::milliseconds> expiry;
  if (!expires_in.empty()) {
    auto d = parse_duration(expires_in);
    if (!d || d->count() <= 0) {
      std::cerr << "postern: --expires-in: " << (d ? "must be in the future" : d.error().message)
                << "\n";
      return 2;
    }
    expiry = *d;
  }
  auto s = open_command_store(config);
  if (!s) return 1;
  store::AccountId account = 0;
  auto no_account = [&] {
    std::cerr << "postern: --test-account: no test account named '" << test_account << "'\n";
    return 2;
  };
  if (!test_account.empty()) {
    auto found = s->store->inbox().account_by_user(test_account);
    if (!found && found.error() == Errc::not_found) return no_account();
    if (!found) return report_write(found.error(), "test account", test_account);
    account = found->id;
  }
  auto key = auth::make_api_key(name, *parsed, account, s->clock.now(), expiry);
  if (!key) {
    std::cerr << "postern: --scopes: " << key.error().message << "\n";
    return 2;
  }
  auto r = write([&](auto done) { s->store->create_api_key(std::move(key->stored), done); });
  if (!r && r.error() == Errc::not_found) return no_account();  // deleted meanwhile
  if (int rc = report(r, "key", name)) return rc;
  std::cerr << "created key '" << name << "' with scopes " << joined(parsed->names());
  if (account != 0) std::cerr << ", its mail caught into test account '" << test_account << "'";
  if (key->stored.key.expires_at)
    std::cerr << ", expiring at " << format_rfc3339(*key->stored.key.expires_at);
  std::cerr << "; its secret is shown once, below:\n";
  std::cout << key->secret << std::endl;
  return 0;
}

int keys_list(const Config& config) {
  auto s = open_command_store(config);
  if (!s) return 1;
  auto keys = s->store->list_api_keys();
  if (!keys) return 1;
  auto time_or = [](const std::optional<SystemTime>& t, const char* none) {
    return t ? format_rfc3339(*t) : std::string(none);
  };
  auto now = s->clock.now();
  for (const auto& k : *keys) {
    std::cout << k.key.name << "\t" << joined(k.key.scopes) << "\t"
              << format_rfc3339(k.key.created_at) << "\t"
              << (k.key.test_account.empty() ? "-" : k.key.test_account) << "\t"
              << time_or(k.key.expires_at, "never") << "\t" << time_or(k.key.last_used_at, "never")
              << "\t" << time_or(k.key.previous_hash_valid_until(now), "-") << "\n";
  }
  return 0;
}

int keys_rotate(const Config& config, const std::string& name, const std::string& grace) {
  auto d = parse_duration(grace);
  if (!d) {
    std::cerr << "postern: --grace: " << d.error().message << "\n";
    return 2;
  }
  auto s = open_command_store(config);
  if (!s) return 1;
  auto rotated = auth::rotate_api_key(s->clock.now(), *d);
  if (!rotated) {
    std::cerr << "postern: --grace: " << rotated.error().message << "\n";
    return 2;
  }
  auto r = write([&](auto done) {
    s->store->rotate_api_key(name, rotated->secret_hash, rotated->previous_valid_until, done);
  });
  if (int rc = report(r, "key", name)) return rc;
  std::cerr << "rotated key '" << name << "'; the previous secret works until "
            << format_rfc3339(rotated->previous_valid_until)
            << "; the new secret is shown once, below:\n";
  std::cout << rotated->secret << std::endl;
  return 0;
}

int keys_delete(const Config& config, const std::string& name) {
  auto s = open_command_store(config);
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
  auto s = open_command_store(config);
  if (!s) return 1;
  store::SmtpUser user{name, *hash, parsed->names(), s->clock.now()};
  auto r = write([&](auto done) { s->store->create_smtp_user(std::move(user), done); });
  if (int rc = report(r, "user", name)) return rc;
  std::cerr << "created SMTP user '" << name << "' with scopes " << joined(parsed->names()) << "\n";
  return 0;
}

int users_list(const Config& config) {
  auto s = open_command_store(config);
  if (!s) return 1;
  auto users = s->store->list_smtp_users();
  if (!users) return 1;
  for (const auto& u : *users)
    std::cout << u.name << "\t" << joined(u.scopes) << "\t" << format_rfc3339(u.created_at) << "\n";
  return 0;
}

int users_delete(const Config& config, const std::string& name) {
  auto s = open_command_store(config);
  if (!s) return 1;
  return report(write([&](auto done) { s->store->delete_smtp_user(name, done); }), "user", name);
}

int suppressions_list(const Config& config) {
  auto s = open_command_store(config);
  if (!s) return 1;
  return list_suppressed(s->store->events(), std::cout, std::cerr);
}

int suppressions_add(const Config& config, const std::vector<std::string>& addresses,
                     const std::string& reason, const std::string& detail) {
  auto s = open_command_store(config);
  if (!s) return 1;
  return add_suppressed(s->store->events(), s->clock, addresses, reason, detail, std::cerr);
}

int suppressions_remove(const Config& config, const std::string& address) {
  auto s = open_command_store(config);
  if (!s) return 1;
  return remove_suppressed(s->store->events(), address, std::cerr);
}

int suppressions_import(const Config& config, const std::string& file) {
  std::ifstream in;
  if (file != "-") {
    in.open(file, std::ios::binary);
    if (!in) {
      std::cerr << "postern: cannot open " << file << "\n";
      return 1;
    }
  }
  auto s = open_command_store(config);
  if (!s) return 1;
  return import_suppressed(s->store->events(), s->clock, file == "-" ? std::cin : in, std::cerr);
}

int suppressions_export(const Config& config, const std::string& file) {
  auto s = open_command_store(config);
  if (!s) return 1;
  if (file.empty() || file == "-")
    return export_suppressed(s->store->events(), std::cout, std::cerr);
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  if (!out) {
    std::cerr << "postern: cannot write " << file << "\n";
    return 1;
  }
  int rc = export_suppressed(s->store->events(), out, std::cerr);
  if (rc == 0 && !out) {
    std::cerr << "postern: cannot write " << file << "\n";
    return 1;
  }
  return rc;
}

}  // namespace postern::app
