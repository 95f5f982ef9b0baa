// IMAP sessions over a real SQLite inbox store in a temporary directory,
// driven as the listener will drive them: bytes in, the session's actions
// run here (store writes waited for, logins checked), bytes out.
#pragma once

#include <chrono>
#include <future>
#include <map>
#include <memory>
#include <string>

#include "auth/account_logins.h"
#include "imap/session/session_fsm.h"
#include "inbox/summary.h"
#include "store/inbox_fixture.h"

namespace postern::imap::test {

// Passwords in the clear: the real check (Argon2id) is the account
// service's, tested there.
class FakeLogins final : public auth::AccountLogins {
 public:
  explicit FakeLogins(store::InboxStore& store) : store_(store) {}
  void add(const std::string& user, const std::string& password) { passwords_[user] = password; }
  Result<store::InboxAccount> verify_login(std::string_view user,
                                           std::string_view password) override {
    auto it = passwords_.find(std::string(user));
    if (it == passwords_.end() || it->second != password) return make_error_code(Errc::not_found);
    return store_.account_by_user(std::string(user));
  }

 private:
  store::InboxStore& store_;
  std::map<std::string, std::string> passwords_;
};

class Client {
 public:
  Client(const SessionPolicy& policy, PeerInfo peer, store::InboxStore& store, RecentTable& recent,
         auth::AccountLogins& logins, const Clock& clock)
      : fsm_(policy, std::move(peer), store, recent, clock), logins_(logins) {
    fsm_.on_connected();
    greeting_ = drive();
  }

  // Sends `bytes` and answers everything the session says until it waits
  // for more input (or closes).
  std::string send(std::string_view bytes) {
    fsm_.on_input(bytes);
    return drive();
  }

  // What the driver does in IDLE when the store reports a change.
  std::string mailbox_changed() {
    fsm_.on_mailbox_changed();
    return drive();
  }
  bool idling() const { return fsm_.idling(); }
  // The driver's events besides input (the read timer, the server's stop).
  std::string idle_timeout() {
    fsm_.on_idle_timeout();
    return drive();
  }
  std::string shutdown() {
    fsm_.on_shutdown();
    return drive();
  }
  std::chrono::seconds idle_limit() const { return fsm_.idle_timeout(); }
  int handshakes() const { return handshakes_; }

  const std::string& greeting() const { return greeting_; }
  bool closed() const { return closed_; }
  int flushes() const { return flushes_; }

 private:
  std::string drive() {
    std::string out;
    for (;;) {
      auto action = fsm_.next();
      out += fsm_.output();
      fsm_.clear_output();
      switch (action) {
        case SessionFsm::Action::read:
          return out;
        case SessionFsm::Action::flush:
          ++flushes_;
          break;
        case SessionFsm::Action::close:
          closed_ = true;
          return out;
        case SessionFsm::Action::start_tls:
          ++handshakes_;
          fsm_.on_tls_done(true, "TLSv1.3");
          break;
        case SessionFsm::Action::check_login: {
          auto login = fsm_.take_login();
          fsm_.on_login_result(logins_.verify_login(login.user, login.password));
          break;
        }
        case SessionFsm::Action::store_call: {
          auto call = fsm_.take_store_call();
          std::promise<StoreReply> promise;
          auto future = promise.get_future();
          call([&promise](StoreReply r) { promise.set_value(std::move(r)); });
          fsm_.on_store_reply(future.get());
          break;
        }
      }
    }
  }

  SessionFsm fsm_;
  auth::AccountLogins& logins_;
  std::string greeting_;
  bool closed_ = false;
  int flushes_ = 0;
  int handshakes_ = 0;
};

class SessionTest : public store::InboxFixture {
 protected:
  void SetUp() override {
    InboxFixture::SetUp();
    logins_ = std::make_unique<FakeLogins>(inbox());
    auto account = create_account("ann");
    ASSERT_TRUE(account);
    account_ = account->id;
    logins_->add("ann", "secret");
  }

  // A session from loopback (login allowed without TLS).
  std::unique_ptr<Client> connect(PeerInfo peer = {"127.0.0.1", true, false}) {
    return std::make_unique<Client>(policy_, std::move(peer), inbox(), recent_, *logins_, clock_);
  }

  // A logged-in session with INBOX selected; its SELECT answer is dropped.
  std::unique_ptr<Client> selected_session() {
    auto c = connect();
    c->send("a LOGIN ann secret\r\n");
    c->send("b SELECT INBOX\r\n");
    return c;
  }

  // Delivers a real message (summary computed as delivery does) into the
  // account's `mailbox`; answers its UID.
  std::uint32_t deliver_message(const std::string& subject, const std::string& body = "Hello.\r\n",
                                const std::string& mailbox = "INBOX") {
    std::string raw =
        "From: Bob <bob@example.org>\r\nTo: ann@inbox.example.test\r\nSubject: " + subject +
        "\r\nMessage-ID: <" + subject +
        "@example.org>\r\nDate: Tue, 14 Nov 2023 22:13:20 +0000\r\n\r\n" + body;
    store::InboxDelivery d;
    d.content = raw;
    d.summary = inbox::summarize(raw);
    d.internal_date = clock_.now();
    d.targets.push_back({account_, mailbox, {}});
    auto r = deliver(std::move(d));
    EXPECT_TRUE(r && !r->at(0).error);
    return r ? r->at(0).uid : 0;
  }

  std::uint32_t uid_validity(const std::string& mailbox = "INBOX") {
    return inbox().mailbox(account_, mailbox).value().uid_validity;
  }

  SessionPolicy policy_;
  RecentTable recent_;
  std::unique_ptr<FakeLogins> logins_;
  store::AccountId account_ = 0;
};

}  // namespace postern::imap::test
