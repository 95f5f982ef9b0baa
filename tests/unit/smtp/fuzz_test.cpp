// In-process robustness run (libFuzzer style, fixed seed): random and mutated
// byte streams through the command parser, the DATA reader and whole
// sessions. Run under ASan/UBSan; the checks are "no crash" plus a few
// invariants that must hold for any input.
#include <gtest/gtest.h>

#include <random>

#include "core/caught_mail.h"
#include "core/inflight_budget.h"
#include "fsm_harness.h"
#include "smtp/parser/data_reader.h"
#include "support/mutator.h"

namespace postern::smtp {
namespace {

using test::Action;

constexpr std::uint32_t kSeed = 20240229;

// Bytes that matter to SMTP.
constexpr std::string_view kAlphabet = "\r\n.: <>@=AaBDFILMOPRSTUVXZ0123456789\"\\\t\x80\xc3\xff";

const std::vector<std::string> kSeeds = {
    "EHLO c\r\nMAIL FROM:<a@x.example> SIZE=20 BODY=8BITMIME\r\nRCPT TO:<b@y.example>\r\nDATA\r\n"
    "From: a@x.example\r\nSubject: x\r\n\r\n..dot\r\nbody\r\n.\r\nQUIT\r\n",
    "EHLO c\r\nSTARTTLS\r\nEHLO c\r\nAUTH PLAIN AG1lAHB3\r\nMAIL FROM:<>\r\nRCPT "
    "TO:<b@y.example>\r\n"
    "BDAT 5\r\nFrom:BDAT 20 LAST\r\n a@x.example\r\n\r\nhi\r\nRSET\r\n",
    "HELO c\r\nAUTH LOGIN\r\ndXNlcg==\r\ncGFzcw==\r\nVRFY x\r\nHELP\r\nNOOP\r\nMAIL "
    "FROM:<j\xc3\xb6@x.example> "
    "SMTPUTF8\r\nRCPT TO:<\"q > t\"@y.example> ORCPT=rfc822;x\r\nDATA\r\nx\n.\r\n.\r\n",
};

// Every reply line is "ddd" + (' ' or '-') + text + CRLF.
void expect_well_formed_replies(std::string_view out) {
  std::size_t pos = 0;
  while (pos < out.size()) {
    auto end = out.find("\r\n", pos);
    ASSERT_NE(end, std::string_view::npos) << "unterminated reply";
    auto line = out.substr(pos, end - pos);
    ASSERT_GE(line.size(), 4u);
    ASSERT_TRUE(line[0] >= '2' && line[0] <= '5') << line;
    ASSERT_TRUE(line[3] == ' ' || line[3] == '-') << line;
    ASSERT_EQ(line.find_first_of("\r\n"), std::string_view::npos);
    pos = end + 2;
  }
}

TEST(SmtpFuzzTest, CommandParserAndLineReader) {
  std::mt19937 rng(kSeed);
  postern::test::Mutator mutator(rng, kAlphabet, kSeeds);
  for (int i = 0; i < 50000; ++i) {
    auto line =
        i % 2 ? mutator.bytes(600) : mutator.mutate(kSeeds[rng() % kSeeds.size()].substr(0, 120));
    auto parsed = parse_command(line);
    if (parsed && (parsed->verb == Verb::mail || parsed->verb == Verb::rcpt)) {
      EXPECT_EQ(parsed->path.find_first_of("\r\n<>"), std::string::npos) << line;
    }
    LineReader reader;
    std::string_view rest = line;
    for (int guard = 0; guard < 1000 && !rest.empty(); ++guard) {
      auto e = reader.next(rest, 64);
      ASSERT_LE(e.consumed, rest.size());
      if (e.kind == LineEvent::Kind::line) {
        ASSERT_EQ(e.text.find_first_of("\r\n"), std::string_view::npos);
      }
      if (e.consumed == 0) break;
      rest.remove_prefix(e.consumed);
    }
  }
}

TEST(SmtpFuzzTest, DataReaderIsSplitInvariant) {
  std::mt19937 rng(kSeed);
  for (int i = 0; i < 20000; ++i) {
    std::string input(rng() % 48, '\0');
    for (auto& c : input) c = "\r\n.a"[rng() % 4];
    auto run = [&](std::size_t cut) {
      DataReader reader;
      BodyScanner body(32);
      std::size_t consumed = 0;
      bool done = false;
      for (auto piece :
           {std::string_view(input).substr(0, cut), std::string_view(input).substr(cut)}) {
        if (done) break;
        auto p = reader.feed(piece, body);
        consumed += p.consumed;
        done = p.done;
      }
      return std::tuple(done, consumed, body.verdict(), body.take_content());
    };
    auto whole = run(input.size());
    auto split = run(rng() % (input.size() + 1));
    ASSERT_EQ(whole, split) << testing::PrintToString(input);
    // A clean result never holds a bare CR or LF.
    if (std::get<0>(whole) && std::get<2>(whole) == BodyVerdict::ok) {
      const auto& content = std::get<3>(whole);
      for (std::size_t k = 0; k < content.size(); ++k) {
        if (content[k] == '\n') {
          ASSERT_TRUE(k > 0 && content[k - 1] == '\r');
        }
        if (content[k] == '\r') {
          ASSERT_TRUE(k + 1 < content.size() && content[k + 1] == '\n');
        }
      }
    }
  }
}

TEST(SmtpFuzzTest, WholeSessions) {
  std::mt19937 rng(kSeed);
  postern::test::Mutator mutator(rng, kAlphabet, kSeeds);
  for (int i = 0; i < 5000; ++i) {
    // One in two with a budget for content in flight, part of it taken by
    // others: it is never overdrawn, and all the session took comes back.
    MetricsRegistry budget_metrics;
    InflightBudget budget(1 + rng() % 400, budget_metrics);
    const std::uint64_t others = rng() % 2 ? rng() % budget.limit() : 0;
    ASSERT_TRUE(budget.try_charge(others));
    test::FsmHarness h;
    if (rng() % 2) h.policy.budget = &budget;
    h.policy.max_message_bytes = 1 + rng() % 200;
    h.policy.max_recipients = 1 + rng() % 3;
    h.policy.max_errors = 1 + rng() % 30;
    h.policy.tls_available = rng() % 2;
    h.policy.auth_without_tls = rng() % 2;
    // One in three as an MX for y.example, where b@ has a mailbox.
    test::FakeMailboxes mailboxes;
    mailboxes.add("b@y.example");
    if (rng() % 3 == 0) h.policy.mx = mailboxes.policy("y.example");
    auto input = mutator.mutated_seed();
    std::string out = h.connect(PeerInfo{"192.0.2.1", rng() % 2 == 0, false, {}});
    std::size_t pos = 0;
    auto action = h.last_action;
    for (int steps = 0; steps < 10000 && action != Action::close; ++steps) {
      switch (action) {
        case Action::read:
          if (pos >= input.size()) {
            h.fsm->on_input_closed("end of input");
          } else {
            auto n = 1 + rng() % 40;
            h.fsm->on_input(std::string_view(input).substr(pos, n));
            pos += n;
          }
          break;
        case Action::start_tls:
          h.fsm->on_tls_done(rng() % 4 != 0, "fuzz");
          break;
        case Action::check_credentials:
          ASSERT_FALSE(h.policy.mx) << "an MX asked for credentials";
          h.fsm->take_credentials();
          h.fsm->on_auth_result(rng() % 2 ? std::optional(test::principal("k", rng() % 2))
                                          : std::nullopt);
          break;
        case Action::store_message: {
          auto m = h.fsm->take_message();
          ASSERT_FALSE(m.envelope.recipients.empty());
          ASSERT_TRUE(m.content.starts_with("Received: "));
          if (h.policy.mx) {  // never an open relay, whatever came in
            ASSERT_EQ(m.catch_account, kCatchForRecipients);
            for (const auto& r : m.envelope.recipients)
              ASSERT_TRUE(ascii_iequals(r.address, "b@y.example")) << r.address;
          }
          store::EnqueueResult r;
          r.id = MessageId(static_cast<std::uint64_t>(i + 1));
          h.fsm->on_store_result(rng() % 3 ? Result<store::EnqueueResult>(r)
                                           : error_code(Errc::overloaded));
          break;
        }
        case Action::flush:
        case Action::close:
          break;
      }
      if (rng() % 50 == 0) h.fsm->on_shutdown();
      action = h.run();
      out += h.take();
      ASSERT_LE(budget.used(), budget.limit());
    }
    ASSERT_EQ(action, Action::close) << "session did not end: " << testing::PrintToString(input);
    expect_well_formed_replies(out);
    h.fsm.reset();
    ASSERT_EQ(budget.used(), others);
  }
}

}  // namespace
}  // namespace postern::smtp
