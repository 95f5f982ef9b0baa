// SEARCH and UID SEARCH byte for byte (every key of RFC 3501 §6.4.4,
// CHARSET, ESEARCH's RETURN), and a randomized check of SEARCH against a
// reference model over random flags, sizes and dates.
#include <fmt/chrono.h>
#include <gtest/gtest.h>

#include <functional>
#include <random>

#include "session_harness.h"

namespace postern::imap::test {
namespace {

using namespace std::chrono;

class SearchCommands : public SessionTest {
 protected:
  // A message with the given header fields and body, arriving at `arrival`.
  std::uint32_t put(const std::string& header, const std::string& body, SystemTime arrival,
                    store::MailFlags flags = {}) {
    std::string raw = header + "\r\n" + body;
    store::InboxDelivery d;
    d.content = raw;
    d.summary = inbox::summarize(raw);
    d.internal_date = arrival;
    d.targets.push_back({account_, "INBOX", std::move(flags)});
    auto r = deliver(std::move(d));
    EXPECT_TRUE(r && !r->at(0).error);
    return r ? r->at(0).uid : 0;
  }

  static SystemTime at(year_month_day day, hours h = hours(12)) { return sys_days(day) + h; }

  void SetUp() override {
    SessionTest::SetUp();
    store::MailFlags seen_flagged{static_cast<std::uint8_t>(store::SystemFlag::seen) |
                                      static_cast<std::uint8_t>(store::SystemFlag::flagged),
                                  {"$Work"}};
    // 1: from Bob, sent and arrived on 1 Feb 2024, seen and flagged.
    put("From: Bob <bob@example.org>\r\nTo: ann@inbox.example.test\r\n"
        "Subject: Quarterly report\r\nDate: Thu, 01 Feb 2024 10:00:00 +0000\r\n"
        "X-Priority: 1\r\n",
        "Numbers attached.\r\n", at(2024y / 2 / 1), seen_flagged);
    // 2: from Carol, cc Dan, an encoded subject, sent 3 Feb, arrived 5 Feb.
    put("From: carol@example.net\r\nTo: ann@inbox.example.test\r\nCc: Dan <dan@example.com>\r\n"
        "Bcc: eve@example.com\r\nSubject: =?UTF-8?Q?Caf=C3=A9_menu?=\r\n"
        "Date: Sat, 03 Feb 2024 09:00:00 +0000\r\n",
        std::string(2000, 'x') + "\r\nLunch at noon.\r\n", at(2024y / 2 / 5),
        {static_cast<std::uint8_t>(store::SystemFlag::answered), {}});
    // 3: no Date field, a draft, deleted, arrived 10 Feb.
    put("From: ann@inbox.example.test\r\nSubject: draft\r\n", "unfinished\r\n", at(2024y / 2 / 10),
        {static_cast<std::uint8_t>(store::SystemFlag::draft) |
             static_cast<std::uint8_t>(store::SystemFlag::deleted),
         {}});
    c_ = selected_session();  // 1..3 recent here
  }

  std::string search(const std::string& args) {
    auto answer = c_->send("t " + args + "\r\n");
    auto tagged = answer.rfind("t ");
    EXPECT_NE(tagged, std::string::npos) << answer;
    EXPECT_EQ(answer.substr(tagged), "t OK Search completed.\r\n") << args;
    return answer.substr(0, tagged);
  }

  std::unique_ptr<Client> c_;
};

TEST_F(SearchCommands, AnswersEachFlagKey) {
  EXPECT_EQ(search("SEARCH ALL"), "* SEARCH 1 2 3\r\n");
  EXPECT_EQ(search("SEARCH SEEN"), "* SEARCH 1\r\n");
  EXPECT_EQ(search("SEARCH UNSEEN"), "* SEARCH 2 3\r\n");
  EXPECT_EQ(search("SEARCH FLAGGED"), "* SEARCH 1\r\n");
  EXPECT_EQ(search("SEARCH UNFLAGGED"), "* SEARCH 2 3\r\n");
  EXPECT_EQ(search("SEARCH ANSWERED"), "* SEARCH 2\r\n");
  EXPECT_EQ(search("SEARCH UNANSWERED"), "* SEARCH 1 3\r\n");
  EXPECT_EQ(search("SEARCH DELETED"), "* SEARCH 3\r\n");
  EXPECT_EQ(search("SEARCH UNDELETED"), "* SEARCH 1 2\r\n");
  EXPECT_EQ(search("SEARCH DRAFT"), "* SEARCH 3\r\n");
  EXPECT_EQ(search("SEARCH UNDRAFT"), "* SEARCH 1 2\r\n");
  EXPECT_EQ(search("SEARCH KEYWORD $work"), "* SEARCH 1\r\n");
  EXPECT_EQ(search("SEARCH UNKEYWORD $Work"), "* SEARCH 2 3\r\n");
  EXPECT_EQ(search("SEARCH RECENT"), "* SEARCH 1 2 3\r\n");
  EXPECT_EQ(search("SEARCH OLD"), "* SEARCH\r\n");
  EXPECT_EQ(search("SEARCH NEW"), "* SEARCH 2 3\r\n");
}

TEST_F(SearchCommands, AnswersNothingMatchedWithAnEmptySearch) {
  EXPECT_EQ(c_->send("t SEARCH OLD\r\n"), "* SEARCH\r\nt OK Search completed.\r\n");
}

TEST_F(SearchCommands, MatchesDecodedAddressesSubjectAndText) {
  EXPECT_EQ(search("SEARCH FROM BOB"), "* SEARCH 1\r\n");
  EXPECT_EQ(search("SEARCH FROM @example."), "* SEARCH 1 2\r\n");
  EXPECT_EQ(search("SEARCH TO ann@inbox"), "* SEARCH 1 2\r\n");
  EXPECT_EQ(search("SEARCH CC dan"), "* SEARCH 2\r\n");
  EXPECT_EQ(search("SEARCH SUBJECT CAF"), "* SEARCH 2\r\n");
  EXPECT_EQ(search("SEARCH CHARSET UTF-8 SUBJECT {5}\r\nCafé"),
            "+ Ready for literal data\r\n* SEARCH 2\r\n");
  // As mutt 2.2 sends it: UTF-8 in a quoted string, no CHARSET (RFC 9051 allows it).
  EXPECT_EQ(search("UID SEARCH SUBJECT \"Café\""), "* SEARCH 2\r\n");
  EXPECT_EQ(search("SEARCH BODY noon"), "* SEARCH 2\r\n");
  EXPECT_EQ(search("SEARCH BODY report"), "* SEARCH\r\n");  // the subject is not the body
  EXPECT_EQ(search("SEARCH TEXT report"), "* SEARCH 1\r\n");
  EXPECT_EQ(search("SEARCH TEXT x-priority"), "* SEARCH 1\r\n");  // a header field
}

TEST_F(SearchCommands, ReadsRawHeadersForHeaderAndBcc) {
  EXPECT_EQ(search("SEARCH BCC eve"), "* SEARCH 2\r\n");
  EXPECT_EQ(search("SEARCH HEADER x-priority 1"), "* SEARCH 1\r\n");
  EXPECT_EQ(search("SEARCH HEADER Cc \"\""), "* SEARCH 2\r\n");
  EXPECT_EQ(search("SEARCH HEADER Subject {5+}\r\nCafé"), "* SEARCH 2\r\n");  // decoded
  EXPECT_EQ(search("SEARCH SEEN HEADER Subject report"), "* SEARCH 1\r\n");
}

TEST_F(SearchCommands, ComparesDatesBySizeAndSender) {
  EXPECT_EQ(search("SEARCH BEFORE 5-Feb-2024"), "* SEARCH 1\r\n");
  EXPECT_EQ(search("SEARCH ON 5-Feb-2024"), "* SEARCH 2\r\n");
  EXPECT_EQ(search("SEARCH SINCE 5-Feb-2024"), "* SEARCH 2 3\r\n");
  EXPECT_EQ(search("SEARCH SENTBEFORE 3-Feb-2024"), "* SEARCH 1\r\n");
  EXPECT_EQ(search("SEARCH SENTON 3-Feb-2024"), "* SEARCH 2\r\n");
  // Message 3 has no Date field: its arrival stands in.
  EXPECT_EQ(search("SEARCH SENTSINCE 4-Feb-2024"), "* SEARCH 3\r\n");
  EXPECT_EQ(search("SEARCH LARGER 1000"), "* SEARCH 2\r\n");
  EXPECT_EQ(search("SEARCH SMALLER 1000"), "* SEARCH 1 3\r\n");
}

TEST_F(SearchCommands, CombinesKeysAndSets) {
  EXPECT_EQ(search("SEARCH NOT SEEN"), "* SEARCH 2 3\r\n");
  EXPECT_EQ(search("SEARCH OR SEEN DRAFT"), "* SEARCH 1 3\r\n");
  EXPECT_EQ(search("SEARCH (OR SEEN DRAFT) UNDELETED"), "* SEARCH 1\r\n");
  EXPECT_EQ(search("SEARCH 2:*"), "* SEARCH 2 3\r\n");
  EXPECT_EQ(search("SEARCH 1,3 NOT 3"), "* SEARCH 1\r\n");
  EXPECT_EQ(search("SEARCH 7"), "* SEARCH\r\n");  // past the end: no match, not BAD
  EXPECT_EQ(search("SEARCH UID 2:*"), "* SEARCH 2 3\r\n");
  EXPECT_EQ(search("SEARCH OR BCC eve FROM bob"), "* SEARCH 1 2\r\n");
}

TEST_F(SearchCommands, UidSearchAnswersUids) {
  c_->send("e STORE 1 +FLAGS (\\Deleted)\r\n");
  c_->send("f STORE 3 -FLAGS (\\Deleted)\r\n");
  c_->send("x EXPUNGE\r\n");  // UIDs 2 and 3 are now messages 1 and 2
  EXPECT_EQ(search("UID SEARCH ALL"), "* SEARCH 2 3\r\n");
  EXPECT_EQ(search("UID SEARCH 1"), "* SEARCH 2\r\n");
  EXPECT_EQ(search("SEARCH UID 3"), "* SEARCH 2\r\n");
}

TEST_F(SearchCommands, AnswersEsearchReturnOptions) {
  EXPECT_EQ(search("SEARCH RETURN (MIN MAX COUNT) UNSEEN"),
            "* ESEARCH (TAG \"t\") MIN 2 MAX 3 COUNT 2\r\n");
  EXPECT_EQ(search("UID SEARCH RETURN (ALL) ALL"), "* ESEARCH (TAG \"t\") UID ALL 1:3\r\n");
  EXPECT_EQ(search("SEARCH RETURN () OR 1 3"), "* ESEARCH (TAG \"t\") ALL 1,3\r\n");
  EXPECT_EQ(search("SEARCH RETURN (MIN MAX ALL COUNT) OLD"), "* ESEARCH (TAG \"t\") COUNT 0\r\n");
}

TEST_F(SearchCommands, RefusesOtherCharsetsAndBadInput) {
  EXPECT_EQ(c_->send("t SEARCH CHARSET us-ascii ALL\r\n"),
            "* SEARCH 1 2 3\r\nt OK Search completed.\r\n");
  EXPECT_EQ(c_->send("t SEARCH CHARSET ISO-8859-1 ALL\r\n"),
            "t NO [BADCHARSET (UTF-8 US-ASCII)] Unsupported charset.\r\n");
  EXPECT_EQ(c_->send("t SEARCH BOGUS\r\n").substr(0, 6), "t BAD ");
  EXPECT_EQ(c_->send("t SEARCH SUBJECT \"Caf\xe9\"\r\n"),  // Latin-1: not UTF-8
            "t BAD 8-bit text must be UTF-8 or sent as a literal\r\n");
  auto fresh = connect();
  fresh->send("a LOGIN ann secret\r\n");
  EXPECT_EQ(fresh->send("t SEARCH ALL\r\n"), "t BAD SEARCH not valid in this state\r\n");
}

TEST_F(SearchCommands, SendsNoExpungeDuringSearchButDuringUidSearch) {
  auto other = selected_session();
  other->send("x EXPUNGE\r\n");  // removes message 3 (\Deleted)
  // Message 3 keeps its number but matches nothing.
  EXPECT_EQ(c_->send("t SEARCH ALL\r\n"), "* SEARCH 1 2\r\nt OK Search completed.\r\n");
  EXPECT_EQ(c_->send("u UID SEARCH ALL\r\n"),
            "* 3 EXPUNGE\r\n* SEARCH 1 2\r\nu OK Search completed.\r\n");
}

// Random messages, a model of what each should match, random programs.
class SearchModel : public SearchCommands {
 protected:
  void SetUp() override { SessionTest::SetUp(); }
};

struct ModelMessage {
  std::uint8_t flags = 0;
  std::size_t size = 0;
  year_month_day arrived{};
  year_month_day sent{};
  std::string subject;
};

TEST_F(SearchModel, AgreesWithAReferenceModel) {
  std::mt19937 rng(7);
  std::vector<ModelMessage> model;
  const year_month_day base = 2024y / 3 / 1;
  auto day = [&](int n) { return year_month_day{sys_days(base) + days(n)}; };
  const char* words[] = {"alpha", "beta", "gamma"};
  for (int i = 0; i < 40; ++i) {
    ModelMessage m;
    m.flags = static_cast<std::uint8_t>(rng() % 32);
    m.arrived = day(static_cast<int>(rng() % 10));
    m.sent = day(static_cast<int>(rng() % 10));
    m.subject = std::string(words[rng() % 3]) + " " + words[rng() % 3];
    auto sent = sys_days(m.sent);
    std::string date = fmt::format("Date: {:%a, %d %b %Y} 08:00:00 +0000\r\n", sent);
    std::string header = "From: x@example.org\r\nSubject: " + m.subject + "\r\n" + date;
    std::string body(rng() % 3000, 'b');
    m.size = header.size() + 2 + body.size();
    put(header, body, at(m.arrived), {m.flags, {}});
    model.push_back(m);
  }
  c_ = selected_session();
  const char* flag_keys[] = {"SEEN", "ANSWERED", "FLAGGED", "DELETED", "DRAFT"};
  const char* unflag_keys[] = {"UNSEEN", "UNANSWERED", "UNFLAGGED", "UNDELETED", "UNDRAFT"};
  auto date_text = [](year_month_day d) { return fmt::format("{:%d-%b-%Y}", sys_days(d)); };
  // A random key as text and as a predicate over the model.
  std::function<std::pair<std::string, std::function<bool(const ModelMessage&)>>(int)> key =
      [&](int depth) -> std::pair<std::string, std::function<bool(const ModelMessage&)>> {
    auto pick = rng() % (depth > 2 ? 7 : 10);
    auto bit = rng() % 5;
    auto d = day(static_cast<int>(rng() % 10));
    auto n = static_cast<std::size_t>(rng() % 3000);
    std::string w = words[rng() % 3];
    switch (pick) {
      case 0:
        return {flag_keys[bit], [bit](auto& m) { return (m.flags >> bit & 1) != 0; }};
      case 1:
        return {unflag_keys[bit], [bit](auto& m) { return (m.flags >> bit & 1) == 0; }};
      case 2:
        return {"LARGER " + std::to_string(n), [n](auto& m) { return m.size > n; }};
      case 3:
        return {"SMALLER " + std::to_string(n), [n](auto& m) { return m.size < n; }};
      case 4: {
        const char* names[] = {"BEFORE ", "ON ", "SINCE "};
        auto which = rng() % 3;
        return {names[which] + date_text(d), [which, d](auto& m) {
                  return which == 0 ? m.arrived < d : which == 1 ? m.arrived == d : m.arrived >= d;
                }};
      }
      case 5: {
        const char* names[] = {"SENTBEFORE ", "SENTON ", "SENTSINCE "};
        auto which = rng() % 3;
        return {names[which] + date_text(d), [which, d](auto& m) {
                  return which == 0 ? m.sent < d : which == 1 ? m.sent == d : m.sent >= d;
                }};
      }
      case 6:
        return {"SUBJECT " + w, [w](auto& m) { return m.subject.find(w) != std::string::npos; }};
      case 7: {
        auto inner = key(depth + 1);
        return {"NOT " + inner.first, [f = inner.second](auto& m) { return !f(m); }};
      }
      case 8: {
        auto a = key(depth + 1);
        auto b = key(depth + 1);
        return {"OR " + a.first + " " + b.first,
                [f = a.second, g = b.second](auto& m) { return f(m) || g(m); }};
      }
      default: {
        auto a = key(depth + 1);
        auto b = key(depth + 1);
        return {"(" + a.first + " " + b.first + ")",
                [f = a.second, g = b.second](auto& m) { return f(m) && g(m); }};
      }
    }
  };
  for (int round = 0; round < 200; ++round) {
    auto [text, predicate] = key(0);
    std::string expected = "* SEARCH";
    for (std::size_t i = 0; i < model.size(); ++i)
      if (predicate(model[i])) expected += " " + std::to_string(i + 1);
    EXPECT_EQ(search("SEARCH " + text), expected + "\r\n") << text;
  }
}

}  // namespace
}  // namespace postern::imap::test
