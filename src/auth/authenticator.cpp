#include "auth/authenticator.h"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <iterator>

#include "auth/credentials.h"

namespace postern::auth {
namespace {

// Refreshing on an unknown secret at most this often keeps a client that
// hammers with wrong keys from turning every request into a store read.
constexpr std::chrono::milliseconds kForcedRefreshGap{250};

Scopes scopes_of(const std::vector<std::string>& names) {
  auto parsed = parse_scopes(names);
  return parsed ? *parsed : Scopes();
}

// A key bound to a test account may only send, and what it sends is
// caught for the account, whatever scopes its row says.
Principal principal_of(const store::ApiKey& key) {
  Principal p{Principal::Kind::api_key, key.name, {}, key.catch_account};
  if (key.catch_account == 0) {
    p.scopes = scopes_of(key.scopes);
  } else {
    p.scopes.add(Scope::send);
  }
  return p;
}

bool equal_constant_time(std::string_view a, std::string_view b) {
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

std::string_view to_string(Scope s) {
  for (const auto& known : kScopeNames) {
    if (known.scope == s) return known.name;
  }
  return "unknown";
}

std::string scope_list() {
  std::string out;
  for (const auto& known : kScopeNames) out += (out.empty() ? "" : ", ") + std::string(known.name);
  return out;
}

std::vector<std::string> Scopes::names() const {
  std::vector<std::string> out;
  for (const auto& known : kScopeNames) {
    if (has(known.scope)) out.emplace_back(known.name);
  }
  return out;
}

Result<Scopes, Problem> parse_scopes(const std::vector<std::string>& names) {
  Scopes out;
  for (const auto& n : names) {
    auto known = std::find_if(std::begin(kScopeNames), std::end(kScopeNames),
                              [&](const ScopeName& s) { return s.name == n; });
    if (known == std::end(kScopeNames))
      return Problem{"unknown scope '" + n + "' (use " + scope_list() + ")"};
    out.add(known->scope);
  }
  return out;
}

Authenticator::Authenticator(store::Store& store, const Clock& clock,
                             std::chrono::milliseconds refresh)
    : store_(store), clock_(clock), refresh_(refresh) {}

void Authenticator::refresh_locked(bool force) {
  auto now = clock_.now();
  bool stale = now - snapshot_.loaded_at >= refresh_;
  bool may_force = force && now - snapshot_.forced_at >= kForcedRefreshGap;
  if (!stale && !may_force) return;
  auto keys = store_.list_api_keys();
  auto users = store_.list_smtp_users();
  if (!keys || !users) {
    spdlog::warn("auth: cannot read credentials: {}",
                 (!keys ? keys.error() : users.error()).message());
    return;  // keep the last good snapshot
  }
  Snapshot next;
  for (const auto& k : *keys) {
    add_key_locked(next, k);
    if (k.key.catch_account == 0) next.closes_loopback = true;
  }
  for (auto& u : *users) next.users[u.name] = std::move(u);
  next.loaded_at = now;
  next.forced_at = force ? now : snapshot_.forced_at;
  snapshot_ = std::move(next);
}

void Authenticator::add_key_locked(Snapshot& snapshot, const store::StoredApiKey& k) {
  KeyEntry entry{principal_of(k.key), k.key.expires_at.value_or(SystemTime::max())};
  auto& hashes = snapshot.key_hashes_by_name[k.key.name];
  hashes = {k.secret_hash};
  snapshot.keys_by_hash[k.secret_hash] = entry;
  if (!k.previous_hash.empty() && k.key.previous_valid_until) {
    entry.valid_until = std::min(entry.valid_until, *k.key.previous_valid_until);
    snapshot.keys_by_hash[k.previous_hash] = entry;
    hashes.push_back(k.previous_hash);
  }
}

KeyCheck Authenticator::judge_locked(const KeyEntry& entry, SystemTime now) {
  if (now >= entry.valid_until) return {KeyCheck::Status::expired, entry.principal};
  // A bounded map: one entry per key, however many requests.
  uses_[entry.principal.name] = now;
  return {KeyCheck::Status::valid, entry.principal};
}

std::optional<Principal> Authenticator::authenticate_key(std::string_view secret) {
  auto check = check_key(secret);
  if (check.status != KeyCheck::Status::valid) return std::nullopt;
  return std::move(check.principal);
}

KeyCheck Authenticator::check_key(std::string_view secret) {
  constexpr std::size_t kMaxVerified = 4096;  // bounds memory against floods of distinct keys
  auto now = clock_.now();
  {
    std::lock_guard lock(mu_);
    refresh_locked(false);
    if (auto v = snapshot_.verified.find(std::string(secret)); v != snapshot_.verified.end())
      return judge_locked(v->second, now);
  }
  auto hash = hash_api_secret(secret);
  std::lock_guard lock(mu_);
  auto it = snapshot_.keys_by_hash.find(hash);
  if (it == snapshot_.keys_by_hash.end()) {
    refresh_locked(true);
    it = snapshot_.keys_by_hash.find(hash);
  }
  if (it == snapshot_.keys_by_hash.end()) {
    // The forced refresh is rate-limited (a flood of wrong secrets must not
    // reload every key each time), so a key made by another process just
    // after one may be missing still: one indexed read finds it.
    auto found = store_.api_key_by_hash(hash);
    if (!found || !*found) return {};
    add_key_locked(snapshot_, **found);
    it = snapshot_.keys_by_hash.find(hash);
    if (it == snapshot_.keys_by_hash.end()) return {};  // a previous secret past its grace
  }
  if (snapshot_.verified.size() < kMaxVerified)
    snapshot_.verified.emplace(std::string(secret), it->second);
  return judge_locked(it->second, now);
}

std::vector<store::ApiKeyUse> Authenticator::take_key_uses() {
  std::unordered_map<std::string, SystemTime> uses;
  {
    std::lock_guard lock(mu_);
    uses.swap(uses_);
  }
  std::vector<store::ApiKeyUse> out;
  out.reserve(uses.size());
  for (auto& [name, at] : uses) out.push_back({name, at});
  return out;
}

void Authenticator::spend_like_a_password_check(std::string_view password) {
  std::call_once(dummy_once_, [this] {
    auto hash = hash_password(generate_api_secret());
    dummy_hash_ = hash ? *hash : "";
  });
  (void)verify_password(dummy_hash_, password);
}

std::optional<Principal> Authenticator::authenticate_login(std::string_view user,
                                                           std::string_view password) {
  std::optional<store::SmtpUser> smtp_user;
  bool key_refused = false;
  {
    std::lock_guard lock(mu_);
    refresh_locked(false);
    for (bool forced : {false, true}) {
      if (forced) refresh_locked(true);
      if (auto k = snapshot_.key_hashes_by_name.find(user);
          k != snapshot_.key_hashes_by_name.end()) {
        auto hash = hash_api_secret(password);
        // Every hash is compared, so the time does not tell which matched.
        const std::string* matched = nullptr;
        for (const auto& h : k->second) {
          if (equal_constant_time(h, hash)) matched = &h;
        }
        if (matched) {
          auto check = judge_locked(snapshot_.keys_by_hash.at(*matched), clock_.now());
          if (check.status == KeyCheck::Status::valid) return std::move(check.principal);
        }
        key_refused = true;
        break;
      }
      if (auto u = snapshot_.users.find(user); u != snapshot_.users.end()) {
        smtp_user = u->second;
        break;
      }
    }
  }
  // A wrong key secret costs what a wrong password does (below).
  if (key_refused) {
    spend_like_a_password_check(password);
    return std::nullopt;
  }
  if (!smtp_user) {
    // The test accounts' check already costs the same for an unknown user.
    if (test_accounts_) return test_account(user, password);
    spend_like_a_password_check(password);
    return std::nullopt;
  }
  // Argon2id runs outside the lock: it takes tens of milliseconds.
  if (!verify_password(smtp_user->password_hash, password)) return std::nullopt;
  return Principal{Principal::Kind::smtp_user, smtp_user->name, scopes_of(smtp_user->scopes)};
}

std::optional<Principal> Authenticator::test_account(std::string_view user,
                                                     std::string_view password) {
  if (!test_accounts_) return std::nullopt;
  auto account = test_accounts_->verify_login(user, password);
  if (!account) return std::nullopt;
  Principal p{Principal::Kind::test_account, account->user, {}, account->id};
  p.scopes.add(Scope::send);
  return p;
}

void Authenticator::invalidate() {
  std::lock_guard lock(mu_);
  snapshot_.loaded_at = SystemTime{};
}

Result<bool> Authenticator::open_to_loopback() {
  {
    std::lock_guard lock(mu_);
    refresh_locked(false);
    if (snapshot_.closes_loopback) return false;
  }
  auto any = store_.has_api_keys();
  if (!any) return Result<bool>(boost::system::in_place_error, any.error());
  return !*any;
}

}  // namespace postern::auth
