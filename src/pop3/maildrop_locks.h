// The exclusive-access lock of RFC 1939 §8 ("the POP3 server acquires an
// exclusive-access lock on the maildrop"): at most one session per account
// at a time in this process; a second one is told -ERR [IN-USE]. Owned by
// the server object; thread-safe, as sessions run on every I/O thread.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <set>

namespace postern::pop3 {

class MaildropLocks {
 public:
  // Held while a session is logged in; released when destroyed.
  class Lock {
   public:
    Lock(Lock&& other) noexcept;
    Lock& operator=(Lock&& other) noexcept;
    Lock(const Lock&) = delete;
    Lock& operator=(const Lock&) = delete;
    ~Lock();

   private:
    friend class MaildropLocks;
    Lock(MaildropLocks* owner, std::int64_t account) : owner_(owner), account_(account) {}
    MaildropLocks* owner_;
    std::int64_t account_;
  };

  // The lock, or nothing when another session holds it. The table must
  // outlive its locks.
  std::optional<Lock> try_lock(std::int64_t account);
  bool locked(std::int64_t account) const;

 private:
  void release(std::int64_t account);
  mutable std::mutex mu_;
  std::set<std::int64_t> held_;  // guarded by mu_
};

}  // namespace postern::pop3
