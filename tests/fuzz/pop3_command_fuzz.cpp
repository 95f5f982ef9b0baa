// libFuzzer target: a POP3 session (src/pop3/session_fsm.h) reading a
// client's byte stream. The first byte sets the policy (TLS offered, error
// and login limits); the rest arrives in pieces whose sizes, and the
// answers to the session's actions (login, message read, commit, TLS), are
// taken from the input itself, so every path is reachable.
// Invariants beyond "no crash, no hang": the output is well-formed POP3
// (tests/unit/pop3/response_check.h); a message is read or deleted only
// if it exists; the session always ends once the input does.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "pop3/response_check.h"
#include "pop3/session_fsm.h"

namespace {

using namespace postern::pop3;
using Action = SessionFsm::Action;

// The maildrop every session logs in to: one ordinary message, one made of
// dots and bare line ends, one empty.
const std::vector<std::string> kMessages = {
    "Subject: a\r\n\r\nhello\r\n",
    ".\r\n..\n.x\rA: b\n\n.\r\n",
    "",
};

class Input {
 public:
  explicit Input(std::string_view bytes) : rest_(bytes) {}
  // One byte of choices (0 once the input is spent).
  std::uint8_t choice() {
    if (rest_.empty()) return 0;
    auto c = static_cast<std::uint8_t>(rest_.front());
    rest_.remove_prefix(1);
    return c;
  }
  std::string_view take(std::size_t n) {
    auto piece = rest_.substr(0, n);
    rest_.remove_prefix(piece.size());
    return piece;
  }
  bool empty() const { return rest_.empty(); }

 private:
  std::string_view rest_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Input in(std::string_view(reinterpret_cast<const char*>(data), size));
  auto setup = in.choice();
  SessionPolicy policy;
  policy.tls_available = (setup & 1) != 0;
  policy.max_errors = 1 + (setup >> 1 & 15);
  policy.max_login_failures = 1 + (setup >> 5 & 3);
  SessionFsm fsm(policy);
  fsm.on_connected(postern::net::ConnectVerdict::accept);
  std::string out;
  bool ended = false;
  // Each step consumes input or ends the session, so this bound is never
  // reached by a session that works.
  for (std::size_t steps = 0; steps < 4 * size + 64; ++steps) {
    auto action = fsm.next();
    out += fsm.output();
    fsm.clear_output();
    if (action == Action::close) {
      ended = true;
      break;
    }
    switch (action) {
      case Action::read:
        if (in.empty()) {
          fsm.on_input_closed("end of input");
        } else {
          fsm.on_input(in.take(1 + in.choice() % 64));
        }
        break;
      case Action::start_tls:
        fsm.on_tls_done(in.choice() % 4 != 0, "fuzz");
        break;
      case Action::login: {
        auto c = fsm.take_credentials();
        auto pick = in.choice() % 4;
        if (pick < 3 && c.password != "secret") pick = 0;
        if (pick == 0) {
          fsm.on_login_result(LoginError::bad_credentials);
        } else if (pick == 1) {
          fsm.on_login_result(LoginError::in_use);
        } else {
          MaildropView view;
          for (std::size_t i = 0; i < kMessages.size(); ++i) {
            view.messages.push_back({"1." + std::to_string(i + 1), kMessages[i].size()});
          }
          fsm.on_login_result(std::move(view));
        }
        break;
      }
      case Action::retrieve: {
        auto index = fsm.retrieve_index();
        FUZZ_CHECK(index < kMessages.size());
        if (in.choice() % 5 == 0) {
          fsm.on_retrieved(postern::error_code(postern::Errc::corrupt));
        } else {
          fsm.on_retrieved(kMessages[index]);
        }
        break;
      }
      case Action::commit: {
        auto deletions = fsm.deletions();
        FUZZ_CHECK(!deletions.empty());
        for (auto index : deletions) FUZZ_CHECK(index < kMessages.size());
        fsm.on_committed(in.choice() % 4 == 0
                             ? postern::Result<void>(postern::error_code(postern::Errc::overloaded))
                             : postern::Result<void>());
        break;
      }
      case Action::flush:
      case Action::close:
        break;
    }
  }
  FUZZ_CHECK(ended);
  FUZZ_CHECK(test::response_problem(out).empty());
  return 0;
}
