// The live sessions of one protocol server (SMTP, POP3): admission under
// the connection limits (in total and per client address) and the hooks
// that stop them at shutdown. Thread-safe: sessions run on every I/O thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>

namespace postern::net {

// What a server answers a new connection: its greeting, or a refusal.
enum class ConnectVerdict { accept, too_many_connections, shutting_down };

class SessionTable {
 public:
  // Called from any thread; they must only post work to the session's own
  // executor.
  struct Hooks {
    std::function<void()> request_stop;  // finish what is in progress, then say goodbye
    std::function<void()> force_close;   // close the connection now
  };

  // A session's place in the table, released when the ticket is destroyed.
  class Ticket {
   public:
    Ticket() = default;
    Ticket(Ticket&& other) noexcept;
    Ticket& operator=(Ticket&& other) noexcept;
    ~Ticket();

    ConnectVerdict verdict() const { return verdict_; }
    // Registers the session's hooks. If the table is already stopping, the
    // matching hooks run at once.
    void set_hooks(Hooks hooks);

   private:
    friend class SessionTable;
    SessionTable* table_ = nullptr;  // null when refused
    std::uint64_t id_ = 0;
    ConnectVerdict verdict_ = ConnectVerdict::shutting_down;
  };

  SessionTable(std::size_t max_total, std::size_t max_per_address);

  // A refused ticket (verdict other than accept) takes no place. The table
  // must outlive its tickets. Trusted clients are exempt from the limit per
  // address (as Postfix exempts $mynetworks): a local load generator or
  // relay opens many connections by design.
  Ticket admit(const std::string& address, bool trusted);

  std::size_t size() const;

  // Refuses new sessions from now on and asks every session to stop.
  void request_stop_all();
  // Closes every session that is still open.
  void force_close_all();
  // Waits until no session is left or the deadline passes; true when empty.
  bool wait_empty(std::chrono::steady_clock::time_point deadline);

 private:
  struct Entry {
    std::string address;
    Hooks hooks;
  };
  void release(std::uint64_t id);
  void set_hooks(std::uint64_t id, Hooks hooks);

  const std::size_t max_total_;
  const std::size_t max_per_address_;
  mutable std::mutex mu_;
  std::condition_variable emptied_;
  std::map<std::uint64_t, Entry> sessions_;         // guarded by mu_
  std::map<std::string, std::size_t> per_address_;  // guarded by mu_
  std::uint64_t next_id_ = 1;                       // guarded by mu_
  bool stopping_ = false;                           // guarded by mu_
  bool forced_ = false;                             // guarded by mu_
};

}  // namespace postern::net
