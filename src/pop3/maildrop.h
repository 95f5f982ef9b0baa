// What a POP3 session needs of the storage, so that the session and its
// tests know nothing of it: check a user's password, open the account's
// maildrop (its INBOX as it is at login), read a message, remove the ones
// deleted. inbox_backend.h implements it over store::InboxStore.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace postern::pop3 {

struct Account {
  std::int64_t id = 0;
  std::string user;
  std::chrono::seconds retention{0};  // how long its mail is kept (CAPA EXPIRE)
};

// One message as the session lists it; its number is its place + 1.
struct MessageInfo {
  std::string uid;         // UIDL: unique in the maildrop and the same in every session
  std::uint64_t size = 0;  // octets, as stored
};

// One session's view of a maildrop, fixed at login (RFC 1939 §5: mail that
// arrives later shows in the next session).
class Maildrop {
 public:
  virtual ~Maildrop() = default;
  virtual const std::vector<MessageInfo>& messages() const = 0;
  // The raw bytes of messages()[index]. Errors: corrupt (its stored bytes
  // fail their checksum), not_found (removed meanwhile by another reader:
  // HTTP, IMAP, expiry), storage_unavailable.
  virtual Result<std::string> content(std::size_t index) = 0;
  // Removes messages()[i] for each index (UPDATE state). `done` is called
  // once, from any thread.
  virtual void remove(std::vector<std::size_t> indices, std::function<void(Result<void>)> done) = 0;
};

class Backend {
 public:
  virtual ~Backend() = default;
  // Checks the credentials and records the login. Errors: not_found for an
  // unknown user or a wrong password (never which), storage_unavailable.
  // Slow by design (Argon2id): callers run it off the I/O threads.
  virtual Result<Account> authenticate(std::string_view user, std::string_view password) = 0;
  // The account's maildrop now.
  virtual Result<std::unique_ptr<Maildrop>> open(const Account& account) = 0;
};

}  // namespace postern::pop3
