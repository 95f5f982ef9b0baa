// The inbox's read API (/v1/test-accounts/{user}/messages/... and
// /message/{id}) through the whole Api on a real SQLite store: searching,
// reading, the sanitised HTML and its headers, downloads, flags, deletes,
// and who may read what.
#include "core/base64.h"
#include "core/message_id.h"
#include "inbox/summary.h"
#include "inbox_api_fixture.h"
#include "mime/html_sanitize.h"
#include "support/mutator.h"

namespace postern::http {
namespace {

constexpr std::string_view kRich =
    "From: Billing <billing@shop.example>\r\n"
    "To: Customer <customer@example.org>\r\n"
    "Subject: Invoice <b>42</b>\r\n"
    "Message-ID: <invoice-42@shop.example>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"b1\"\r\n"
    "\r\n"
    "--b1\r\n"
    "Content-Type: text/html; charset=utf-8\r\n"
    "\r\n"
    "<p onclick=\"x()\">Pay <b>now</b></p><script>alert(1)</script>"
    "<img src=\"http://tracker.example/p.gif\">\r\n"
    "--b1\r\n"
    "Content-Type: application/pdf\r\n"
    "Content-Disposition: attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "JVBERi0xLjQK\r\n"
    "--b1--\r\n";

std::string plain(std::string_view subject, std::string_view body) {
  return "From: app@example.com\r\nTo: user@example.org\r\nSubject: " + std::string(subject) +
         "\r\n\r\n" + std::string(body) + "\r\n";
}

class InboxMessagesApiTest : public InboxApiFixture {
 protected:
  inbox::CreatedAccount create_account() {
    auto created = test::await_completion<inbox::CreatedAccount>([&](auto done) {
      accounts_->create(inbox::AccountTerms{24h, 0}, done);
    });
    EXPECT_TRUE(created);
    return *created;
  }

  std::uint32_t deliver(const inbox::CreatedAccount& to, std::string raw,
                        std::optional<MessageId> source = std::nullopt) {
    store::InboxDelivery d;
    d.summary = inbox::summarize(raw);
    d.content = std::move(raw);
    d.internal_date = clock_.now();
    d.targets.push_back({to.account.id, "INBOX", {}});
    d.source = source;
    auto copies = test::await_completion<std::vector<store::DeliveredCopy>>(
        [&](auto done) { store_->inbox().deliver(std::move(d), done); });
    EXPECT_TRUE(copies && copies->size() == 1);
    return copies ? copies->front().uid : 0;
  }

  static std::string basic(const inbox::CreatedAccount& a, std::string password = "") {
    return "Basic " +
           base64_encode(a.account.user + ":" + (password.empty() ? a.password : password));
  }

  static std::string path(const inbox::CreatedAccount& a, std::string rest = "") {
    return "/v1/test-accounts/" + a.account.user + "/messages" + rest;
  }

  static std::string header(const net::HttpResponse& r, std::string_view name) {
    for (const auto& [k, v] : r.headers)
      if (k == name) return v;
    return "";
  }

  std::vector<std::string> subjects(const inbox::CreatedAccount& a, const std::string& query) {
    auto r = call("GET", path(a, query));
    EXPECT_EQ(r.status, 200) << json::serialize(r.body);
    std::vector<std::string> out;
    for (const auto& m : r.body.at("data").as_array())
      out.emplace_back(m.at("subject").as_string());
    return out;
  }
};

TEST_F(InboxMessagesApiTest, ListsNewestFirstSearchesAndPages) {
  auto a = create_account();
  deliver(a, plain("Weekly report", "numbers are up"));
  clock_.advance(1h);
  deliver(a, plain("Password reset", "use code 93141"));
  EXPECT_EQ(subjects(a, ""), (std::vector<std::string>{"Password reset", "Weekly report"}));
  EXPECT_EQ(subjects(a, "?subject=REPORT"), (std::vector<std::string>{"Weekly report"}));
  EXPECT_EQ(subjects(a, "?text=93141"), (std::vector<std::string>{"Password reset"}));
  EXPECT_EQ(subjects(a, "?from=app%40"),
            (std::vector<std::string>{"Password reset", "Weekly report"}));
  EXPECT_EQ(subjects(a, "?to=nobody"), (std::vector<std::string>{}));
  EXPECT_EQ(subjects(a, "?seen=true"), (std::vector<std::string>{}));
  EXPECT_EQ(subjects(a, "?since=" + std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                                       (clock_.now() - 30min).time_since_epoch())
                                                       .count())),
            (std::vector<std::string>{"Password reset"}));
  auto first = call("GET", path(a, "?limit=1"));
  ASSERT_EQ(first.status, 200);
  std::string cursor(first.body.at("next_cursor").as_string());
  EXPECT_EQ(subjects(a, "?limit=1&cursor=" + cursor), (std::vector<std::string>{"Weekly report"}));
  for (auto [query, field] : {std::pair{"?since=soon", "since"}, std::pair{"?until=x", "until"},
                              std::pair{"?seen=1", "seen"}, std::pair{"?cursor=0", "cursor"}}) {
    auto bad = call("GET", path(a, query));
    EXPECT_EQ(bad.status, 400) << query;
    EXPECT_EQ(field_of(bad), field) << query;
  }
}

TEST_F(InboxMessagesApiTest, ReadsAMessageWithItsHtmlSanitised) {
  auto a = create_account();
  auto uid = deliver(a, std::string(kRich));
  auto r = call("GET", path(a, "/" + std::to_string(uid)));
  ASSERT_EQ(r.status, 200) << json::serialize(r.body);
  const auto& m = r.body.as_object();
  EXPECT_EQ(m.at("subject").as_string(), "Invoice <b>42</b>");
  EXPECT_EQ(m.at("from"),
            (json::value{json::object{{"name", "Billing"}, {"address", "billing@shop.example"}}}));
  EXPECT_EQ(m.at("message_id").as_string(), "invoice-42@shop.example");
  std::string html(m.at("html").as_string());
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("onclick"), std::string::npos);
  EXPECT_EQ(html.find("tracker.example"), std::string::npos);
  EXPECT_NE(html.find("<b>now</b>"), std::string::npos);
  EXPECT_EQ(m.at("blocked_remote"), 1);
  const auto& att = m.at("attachments").as_array().at(0);
  EXPECT_EQ(att.at("filename").as_string(), "résumé.pdf");
  EXPECT_EQ(att.at("url").as_string(), path(a, "/" + std::to_string(uid) + "/attachments/2"));
  EXPECT_EQ(call("GET", path(a, "/999")).status, 404);
  EXPECT_EQ(field_of(call("GET", path(a, "/999"))), "uid");
  EXPECT_EQ(field_of(call("GET", path(a, "/x"))), "uid");
  EXPECT_EQ(field_of(call("GET", "/v1/test-accounts/nobody-0000/messages/1")), "user");
}

TEST_F(InboxMessagesApiTest, ServesHtmlRawAndAttachmentsWithTheirHeaders) {
  auto a = create_account();
  auto base = path(a, "/" + std::to_string(deliver(a, std::string(kRich))));
  auto [html, html_response] = call_with("GET", base + "/html", "");
  ASSERT_EQ(html.status, 200);
  EXPECT_EQ(header(html_response, "Content-Security-Policy"), mime::kSanitizedHtmlCsp);
  EXPECT_EQ(header(html_response, "X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(html_response.body.find("<script"), std::string::npos);
  auto [remote, remote_response] = call_with("GET", base + "/html?remote=1", "");
  EXPECT_EQ(header(remote_response, "Content-Security-Policy"), mime::kSanitizedHtmlRemoteCsp);
  EXPECT_NE(remote_response.body.find("https://tracker.example/p.gif"), std::string::npos);
  auto [raw, raw_response] = call_with("GET", base + "/raw", "");
  EXPECT_EQ(raw_response.content_type, "message/rfc822");
  EXPECT_EQ(raw_response.body, kRich);
  auto [att, att_response] = call_with("GET", base + "/attachments/2", "");
  ASSERT_EQ(att.status, 200);
  EXPECT_EQ(att_response.body, "%PDF-1.4\n");
  EXPECT_EQ(att_response.content_type, "application/pdf");
  EXPECT_EQ(header(att_response, "Content-Disposition"),
            "attachment; filename=\"r_sum_.pdf\"; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf");
  EXPECT_EQ(call("GET", base + "/attachments/1").status, 404);  // a body, not an attachment
}

TEST_F(InboxMessagesApiTest, MarksReadAndUnreadAndDeletes) {
  auto a = create_account();
  auto first = deliver(a, plain("One", "1"));
  deliver(a, plain("Two", "2"));
  auto one = path(a, "/" + std::to_string(first));
  EXPECT_EQ(call("POST", one + "/seen").status, 204);
  EXPECT_EQ(call("GET", one).body.at("seen"), true);
  EXPECT_EQ(subjects(a, "?seen=true"), (std::vector<std::string>{"One"}));
  EXPECT_EQ(call("DELETE", one + "/seen").status, 204);
  EXPECT_EQ(call("GET", one).body.at("seen"), false);
  EXPECT_EQ(call("DELETE", one).status, 204);
  EXPECT_EQ(call("GET", one).status, 404);
  EXPECT_EQ(subjects(a, ""), (std::vector<std::string>{"Two"}));
  auto all = call("DELETE", path(a));
  EXPECT_EQ(all.status, 200);
  EXPECT_EQ(all.body.at("deleted"), 1);
  EXPECT_EQ(subjects(a, ""), (std::vector<std::string>{}));
}

TEST_F(InboxMessagesApiTest, AnAccountsLoginReadsItsOwnMailOnly) {
  create_key("operator", {"admin"});  // loopback is no longer trusted
  auto a = create_account();
  auto b = create_account();
  auto one = path(a, "/" + std::to_string(deliver(a, plain("Mine", "secret"))));
  EXPECT_EQ(call_with("GET", one, basic(a)).first.status, 200);
  EXPECT_EQ(call_with("GET", path(a), basic(a)).first.status, 200);
  auto other = call_with("GET", one, basic(b)).first;
  EXPECT_EQ(other.status, 403);
  EXPECT_EQ(field_of(other), "user");
  EXPECT_EQ(call_with("DELETE", path(a), basic(b)).first.status, 403);
  auto [wrong, wrong_response] = call_with("GET", one, basic(a, "wrong-password"));
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(wrong.body.at("error").at("code"), "invalid_credentials");
  EXPECT_NE(header(wrong_response, "WWW-Authenticate").find("Basic"), std::string::npos);
  EXPECT_EQ(call_with("GET", one, "Basic !!!").first.status, 401);
  // No key: the Bearer challenge and a Basic one for browsers.
  auto [none, none_response] = call_with("GET", one, "");
  EXPECT_EQ(none.status, 401);
  // A login reaches the inbox's routes only.
  EXPECT_EQ(call_with("GET", "/v1/messages", basic(a)).first.status, 401);
  auto reader = create_key("reader", {"read"});
  EXPECT_EQ(call("GET", one, "", reader).status, 200);
  EXPECT_EQ(call("DELETE", one, "", reader).status, 403);  // deleting takes send
}

TEST_F(InboxMessagesApiTest, TheMessagePageShowsTheCaughtCopyEscaped) {
  auto a = create_account();
  auto b = create_account();
  auto id = MessageId::parse("0mb3xq7h2k4rs");
  ASSERT_TRUE(id);
  deliver(a, std::string(kRich), *id);
  auto [page, response] = call_with("GET", "/message/0mb3xq7h2k4rs", "");
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(response.content_type, "text/html; charset=utf-8");
  EXPECT_NE(response.body.find("Invoice &lt;b&gt;42&lt;/b&gt;"), std::string::npos);
  EXPECT_EQ(response.body.find("<script>alert"), std::string::npos);
  EXPECT_NE(response.body.find(path(a, "/1/attachments/2")), std::string::npos);
  EXPECT_FALSE(header(response, "Content-Security-Policy").empty());
  EXPECT_EQ(call_with("GET", "/message/0mb3xq7h2k4rs", basic(a)).first.status, 200);
  EXPECT_EQ(call_with("GET", "/message/0mb3xq7h2k4rs", basic(b)).first.status, 404);
  EXPECT_EQ(call_with("GET", "/message/0mb3xq7h2k4rt", "").first.status, 404);
  EXPECT_EQ(call_with("GET", "/message/nonsense", "").first.status, 404);
}

// An error quoting what the client sent stays JSON whatever the bytes
// (the fixture parses every JSON answer).
TEST_F(InboxMessagesApiTest, AnErrorQuotingBadBytesIsStillJson) {
  auto r = call("GET", "/v1/test-accounts/caf\xC3\xA9\xFF/messages");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body.at("error").at("message").as_string(),
            "no test account named 'caf\xC3\xA9\xEF\xBF\xBD'");
  EXPECT_EQ(call("GET", "/v1/nothing\xFF").status, 404);
}

// Random Basic logins and query strings (mutations of good ones, libFuzzer
// style): every answer is one the API documents, never a crash or a 500.
TEST_F(InboxMessagesApiTest, RandomLoginsAndQueriesGetDocumentedAnswers) {
  auto a = create_account();
  auto uid = deliver(a, std::string(kRich));
  std::mt19937 rng(27);
  const std::vector<std::string> logins{basic(a), "Basic " + base64_encode("nobody:x"),
                                        "Basic " + base64_encode(a.account.user)};
  const std::vector<std::string> queries{"?from=a&to=b&subject=c&text=d&seen=true&limit=2",
                                         "?since=2026-01-01T00:00:00Z&until=1900000000&cursor=9",
                                         "?remote=1"};
  test::Mutator logins_mutator(rng, "Basic :=+/AZaz09%", logins);
  test::Mutator query_mutator(rng, "?&=%0aAZ-:T+", queries);
  for (int i = 0; i < 150; ++i) {
    auto login = logins_mutator.mutate(logins[rng() % logins.size()]);
    auto query = query_mutator.mutate(queries[rng() % queries.size()]);
    for (auto target : {path(a, query), path(a, "/" + std::to_string(uid) + query),
                        path(a, "/" + std::to_string(uid) + "/html" + query)}) {
      auto status = call_with("GET", target, login).first.status;
      EXPECT_TRUE(status == 200 || status == 400 || status == 401 || status == 403 || status == 404)
          << status << " for " << target << " with " << login;
    }
  }
}

}  // namespace
}  // namespace postern::http
