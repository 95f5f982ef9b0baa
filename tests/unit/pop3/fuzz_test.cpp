// In-process robustness run (libFuzzer style, fixed seed): random and
// mutated command streams, cut into random pieces, through whole sessions
// whose actions get random answers. Run under ASan/UBSan; besides "no
// crash, no hang", the output must always be well-formed POP3.
#include <gtest/gtest.h>

#include <random>

#include "fsm_harness.h"
#include "pop3/parser/command.h"
#include "response_check.h"
#include "support/mutator.h"

namespace postern::pop3 {
namespace {

using test::Action;

constexpr std::uint32_t kSeed = 20261206;

const std::vector<std::string> kSeeds = {
    "CAPA\r\nUSER alice\r\nPASS secret\r\nSTAT\r\nLIST\r\nUIDL\r\nRETR 1\r\nTOP 2 0\r\n"
    "DELE 1\r\nRSET\r\nDELE 2\r\nNOOP\r\nQUIT\r\n",
    "STLS\r\nUSER alice\r\nPASS secret\r\nLIST 2\r\nUIDL 3\r\nRETR 9\r\nDELE 0\r\nQUIT\r\n",
    "user alice\npass wrong\nuser alice\npass secret\ntop 1 5\ndele 3\nquit\n",
    "APOP x y\r\nAUTH PLAIN\r\nSTAT\r\nPASS x\r\nUSER\r\nQUIT\r\n",
};

constexpr std::string_view kAlphabet = "\r\n. 0123456789AaCDEILNOPQRSTUX\x80\xff";

TEST(Pop3FuzzTest, ParserAndLineReader) {
  std::mt19937 rng(kSeed);
  postern::test::Mutator mutator(rng, kAlphabet, kSeeds);
  for (int i = 0; i < 50000; ++i) {
    auto input = mutator.mutated_seed();
    LineReader reader(LineEnds::crlf_or_lf);
    std::string_view rest = input;
    while (!rest.empty()) {
      auto e = reader.next(rest, kMaxCommandLine);
      ASSERT_LE(e.consumed, rest.size());
      if (e.kind == LineEvent::Kind::line) {
        ASSERT_EQ(e.text.find('\n'), std::string_view::npos);
        ASSERT_LE(e.consumed, kMaxCommandLine);  // the line with its line end
        auto c = parse_command(e.text);
        if (!c) {
          ASSERT_FALSE(c.error().text.empty());
        }
      }
      if (e.consumed == 0) break;
      rest.remove_prefix(e.consumed);
    }
  }
}

TEST(Pop3FuzzTest, WholeSessions) {
  std::mt19937 rng(kSeed);
  postern::test::Mutator mutator(rng, kAlphabet, kSeeds);
  for (int i = 0; i < 5000; ++i) {
    test::FsmHarness h;
    h.policy.tls_available = rng() % 2;
    h.policy.max_errors = 1 + rng() % 30;
    h.policy.max_login_failures = 1 + rng() % 4;
    std::string dotted = ".\r\n..\n.x\rA: b\n\n.\r\n";
    h.messages = {{"1.1", "A: b\r\n\r\nx\r\n"}, {"1.2", dotted}, {"1.3", ""}};
    auto input = mutator.mutated_seed();
    h.fsm = std::make_unique<SessionFsm>(h.policy, false);
    h.fsm->on_connected(ConnectVerdict::accept);
    std::string out;
    std::size_t pos = 0;
    Action action = Action::read;
    for (int steps = 0; steps < 100000; ++steps) {
      action = h.fsm->next();
      out += h.fsm->output();
      h.fsm->clear_output();
      if (action == Action::close) break;
      switch (action) {
        case Action::read:
          if (pos >= input.size()) {
            h.fsm->on_input_closed("end of input");
          } else if (rng() % 200 == 0) {
            h.fsm->on_idle_timeout();
          } else {
            auto n = 1 + rng() % 40;
            h.fsm->on_input(std::string_view(input).substr(pos, n));
            pos += n;
          }
          break;
        case Action::start_tls:
          h.fsm->on_tls_done(rng() % 4 != 0, "fuzz");
          break;
        case Action::login:
          h.login_error =
              rng() % 3 == 0 ? std::optional(static_cast<LoginError>(rng() % 3)) : std::nullopt;
          h.answer_login();
          break;
        case Action::retrieve:
          ASSERT_LT(h.fsm->retrieve_index(), h.messages.size());
          h.retrieve_error =
              rng() % 5 == 0 ? std::optional(error_code(Errc::corrupt)) : std::nullopt;
          h.answer_retrieve();
          break;
        case Action::commit: {
          auto d = h.fsm->deletions();
          ASSERT_FALSE(d.empty());
          for (auto index : d) ASSERT_LT(index, h.messages.size());
          h.fsm->on_committed(rng() % 4 ? Result<void>() : error_code(Errc::overloaded));
          break;
        }
        case Action::flush:
        case Action::close:
          break;
      }
      if (rng() % 100 == 0) h.fsm->on_shutdown();
    }
    ASSERT_EQ(action, Action::close) << "session did not end: " << testing::PrintToString(input);
    ASSERT_EQ(test::response_problem(out), "") << testing::PrintToString(input);
  }
}

}  // namespace
}  // namespace postern::pop3
