// The SMTP relay client against a scripted SMTP peer: the conversation,
// pipelining, dot-stuffing, per-recipient results, connection reuse with
// RSET, AUTH, STARTTLS with a test CA, SIZE, failures and timeouts.
#include "providers/smtp/smtp_provider.h"

#include <gtest/gtest.h>

#include <fstream>

#include "core/base64.h"
#include "providers/provider_test_support.h"
#include "providers/smtp/scripted_smtp_peer.h"
#include "support/temp_dir.h"
#include "support/test_pki.h"

namespace postern::providers::smtp {
namespace {

using namespace test_support;
using test::ScriptedSmtpPeer;
using test::SmtpPeerScript;

class SmtpRelayTest : public ::testing::Test {
 protected:
  std::unique_ptr<Provider> make(const ScriptedSmtpPeer& peer,
                                 std::map<std::string, std::string> extra = {}) {
    std::map<std::string, std::string> settings = {{"host", "127.0.0.1"},
                                                   {"port", std::to_string(peer.port())},
                                                   {"tls", "none"},
                                                   {"helo_name", "postern.test"}};
    for (auto& [k, v] : extra) settings[k] = v;
    return harness_.create(SmtpRelayFactory(), std::move(settings));
  }
  static std::shared_ptr<const OutboundMessage> simple(std::string body = "Hello\r\n") {
    std::string raw = "From: s@example.com\r\nTo: a@example.org\r\nSubject: hi\r\n\r\n" + body;
    return raw_message(
        raw, {"s@example.com",
              {{"a@example.org", RecipientKind::to}, {"b@example.org", RecipientKind::cc}}});
  }
  // A message to a@, b@, ... (n recipients) at example.org.
  static std::shared_ptr<const OutboundMessage> to_many(std::size_t n) {
    Envelope envelope{"s@example.com", {}};
    for (std::size_t i = 0; i < n; ++i) {
      envelope.recipients.push_back(
          {std::string(1, static_cast<char>('a' + i)) + "@example.org", RecipientKind::to});
    }
    return raw_message(
        "From: s@example.com\r\nTo: list@example.org\r\nSubject: hi\r\n\r\nHello\r\n",
        std::move(envelope));
  }
  static constexpr const char* kMail = "MAIL FROM:<s@example.com>";
  // The commands that start with one of `verbs`, without MAIL's parameters.
  static std::vector<std::string> only(const std::vector<std::string>& commands,
                                       std::initializer_list<std::string_view> verbs) {
    std::vector<std::string> out;
    for (const auto& c : commands) {
      for (auto v : verbs) {
        if (c.rfind(v, 0) == 0) out.push_back(c.substr(0, c.find(' ', v.size() + 1)));
      }
    }
    return out;
  }
  ProviderHarness harness_;
};

TEST_F(SmtpRelayTest, DeliversWithPipeliningAndDotStuffing) {
  ScriptedSmtpPeer peer;
  auto provider = make(peer);
  std::string body = "Line one\r\n.starts with a dot\r\n..two dots\r\n.\r\nend";
  auto message = simple(body);
  auto result = harness_.send(*provider, message);
  EXPECT_EQ(result.failure_class, FailureClass::ok) << result.detail;
  EXPECT_EQ(result.code, "250 2.0.0");
  EXPECT_EQ(result.provider_message_id, "ABC123");

  auto size = (*message->mime())->size();
  EXPECT_EQ(peer.plain_commands(), (std::vector<std::string>{
                                       "EHLO postern.test",
                                       "MAIL FROM:<s@example.com> SIZE=" + std::to_string(size),
                                       "RCPT TO:<a@example.org>",
                                       "RCPT TO:<b@example.org>",
                                       "DATA",
                                   }));
  EXPECT_GE(peer.batched_reads(), 1u);  // MAIL and RCPTs came in one write
  ASSERT_EQ(peer.data().size(), 1u);
  EXPECT_NE(peer.data()[0].find("\r\n..starts with a dot\r\n...two dots\r\n..\r\nend\r\n"),
            std::string::npos);
  EXPECT_EQ(test::unstuff(peer.data()[0]), **message->mime() + "\r\n");
}

TEST_F(SmtpRelayTest, SendsCommandsOneByOneWithoutPipelining) {
  SmtpPeerScript script;
  script.keywords = {"8BITMIME"};
  ScriptedSmtpPeer peer(script);
  auto provider = make(peer);
  ASSERT_EQ(harness_.send(*provider, simple()).failure_class, FailureClass::ok);
  EXPECT_EQ(peer.batched_reads(), 0u);
  EXPECT_EQ(peer.plain_commands()[1], "MAIL FROM:<s@example.com>");  // no SIZE offered, none sent
}

TEST_F(SmtpRelayTest, ReusesTheConnectionWithRset) {
  ScriptedSmtpPeer peer;
  auto provider = make(peer);
  ASSERT_EQ(harness_.send(*provider, simple()).failure_class, FailureClass::ok);
  ASSERT_EQ(harness_.send(*provider, simple()).failure_class, FailureClass::ok);
  EXPECT_EQ(peer.connections(), 1u);
  auto commands = peer.plain_commands();
  EXPECT_EQ(std::count(commands.begin(), commands.end(), "EHLO postern.test"), 1);
  EXPECT_EQ(std::count(commands.begin(), commands.end(), "RSET"), 1);
  EXPECT_EQ(peer.data().size(), 2u);
}

TEST_F(SmtpRelayTest, OpensAFreshConnectionWhenThePooledOneIsDead) {
  SmtpPeerScript script;
  script.drop_after_message = true;
  ScriptedSmtpPeer peer(script);
  auto provider = make(peer);
  ASSERT_EQ(harness_.send(*provider, simple()).failure_class, FailureClass::ok);
  auto second = harness_.send(*provider, simple());
  EXPECT_EQ(second.failure_class, FailureClass::ok) << second.detail;
  EXPECT_EQ(peer.connections(), 2u);
  EXPECT_EQ(peer.data().size(), 2u);
}

TEST_F(SmtpRelayTest, SendsToAcceptedRecipientsAndReportsTheRefusedOnes) {
  SmtpPeerScript script;
  script.rcpt_reply = [](const std::string& a) {
    return a == "b@example.org"
               ? std::string("550 5.1.1 <b@example.org>: Recipient address rejected: User unknown")
               : std::string("250 2.1.5 Ok");
  };
  ScriptedSmtpPeer peer(script);
  auto provider = make(peer);
  auto result = harness_.send(*provider, simple());
  EXPECT_EQ(result.failure_class, FailureClass::ok);
  EXPECT_NE(result.detail.find("refused recipients: b@example.org (550 5.1.1"), std::string::npos)
      << result.detail;
  EXPECT_EQ(peer.data().size(), 1u);
}

TEST_F(SmtpRelayTest, AllRecipientsRefusedIsPermanentAndSendsNoData) {
  SmtpPeerScript script;
  script.rcpt_reply = [](const std::string&) { return std::string("550 5.1.1 User unknown"); };
  ScriptedSmtpPeer peer(script);
  auto provider = make(peer);
  auto result = harness_.send(*provider, simple());
  EXPECT_EQ(result.failure_class, FailureClass::permanent);
  EXPECT_EQ(result.code, "550 5.1.1");
  EXPECT_TRUE(peer.data().empty());
  auto commands = peer.plain_commands();
  EXPECT_EQ(std::count(commands.begin(), commands.end(), "DATA"), 0);
  EXPECT_EQ(commands.back(), "RSET");
}

TEST_F(SmtpRelayTest, ADeferredRecipientWaitsForTheRetryWhileTheOthersGetTheMessage) {
  SmtpPeerScript script;
  script.rcpt_reply = [](const std::string& a) {
    return a == "b@example.org" ? std::string("451 4.7.1 Greylisted, try again later")
                                : std::string("250 2.1.5 Ok");
  };
  ScriptedSmtpPeer peer(script);
  auto provider = make(peer);
  auto result = harness_.send(*provider, simple());
  EXPECT_EQ(result.failure_class, FailureClass::transient);
  EXPECT_EQ(result.code, "451 4.7.1");
  EXPECT_EQ(result.settled_recipients, std::vector<std::string>{"a@example.org"});
  EXPECT_NE(result.detail.find("deferred recipients: b@example.org (451 4.7.1"), std::string::npos)
      << result.detail;
  EXPECT_EQ(peer.data().size(), 1u);
}

TEST_F(SmtpRelayTest, EveryRecipientDeferredSendsNothing) {
  SmtpPeerScript script;
  script.rcpt_reply = [](const std::string&) { return std::string("450 4.2.0 Greylisted"); };
  ScriptedSmtpPeer peer(script);
  auto provider = make(peer);
  auto result = harness_.send(*provider, simple());
  EXPECT_EQ(result.failure_class, FailureClass::transient);
  EXPECT_TRUE(result.settled_recipients.empty());
  EXPECT_TRUE(peer.data().empty());
}

TEST_F(SmtpRelayTest, SendsTheRestInANewTransactionPastTheRelaysRecipientLimit) {
  // RFC 5321 §4.5.3.1.10: 452 4.5.3 past the limit; the accepted get the
  // message, the rest go in the next transaction.
  SmtpPeerScript script;
  script.max_recipients = 2;
  script.final_reply_for = [](std::size_t n) {
    return "250 2.0.0 Ok: queued as T" + std::to_string(n);
  };
  ScriptedSmtpPeer peer(script);
  auto provider = make(peer);
  auto message = to_many(5);
  auto result = harness_.send(*provider, message);
  EXPECT_EQ(result.failure_class, FailureClass::ok) << result.detail;
  EXPECT_EQ(result.provider_message_id, "T0,T1,T2");
  EXPECT_NE(result.detail.find("in 3 transactions, the relay taking at most 2 recipients in one"),
            std::string::npos)
      << result.detail;
  EXPECT_EQ(result.detail.find("refused"), std::string::npos) << result.detail;
  ASSERT_EQ(peer.data().size(), 3u);
  for (const auto& d : peer.data())
    EXPECT_EQ(test::unstuff(d), **message->mime());  // it ends in CRLF
  // Pipelined: the first transaction asks for all; the later ones for no
  // more than the relay took in it.
  EXPECT_EQ(only(peer.plain_commands(), {"MAIL", "RCPT", "DATA"}),
            (std::vector<std::string>{kMail, "RCPT TO:<a@example.org>", "RCPT TO:<b@example.org>",
                                      "RCPT TO:<c@example.org>", "RCPT TO:<d@example.org>",
                                      "RCPT TO:<e@example.org>", "DATA", kMail,
                                      "RCPT TO:<c@example.org>", "RCPT TO:<d@example.org>", "DATA",
                                      kMail, "RCPT TO:<e@example.org>", "DATA"}));
  EXPECT_EQ(peer.connections(), 1u);
}

TEST_F(SmtpRelayTest, WithoutPipeliningStopsAskingAtTheRecipientLimit) {
  SmtpPeerScript script;
  script.keywords = {"8BITMIME", "ENHANCEDSTATUSCODES"};
  script.max_recipients = 2;
  // RFC 5321 §4.5.3.1.10: clients are to take 552 for the limit as well.
  script.full_reply = "552 5.5.3 Too many recipients";
  ScriptedSmtpPeer peer(script);
  auto provider = make(peer);
  auto result = harness_.send(*provider, to_many(3));
  EXPECT_EQ(result.failure_class, FailureClass::ok) << result.detail;
  EXPECT_EQ(peer.data().size(), 2u);
  EXPECT_EQ(only(peer.plain_commands(), {"MAIL", "RCPT", "DATA"}),
            (std::vector<std::string>{kMail, "RCPT TO:<a@example.org>", "RCPT TO:<b@example.org>",
                                      "RCPT TO:<c@example.org>", "DATA", kMail,
                                      "RCPT TO:<c@example.org>", "DATA"}));
}

TEST_F(SmtpRelayTest, ALaterTransactionThatFailsSaysWhoHasTheMessageAlready) {
  SmtpPeerScript script;
  script.max_recipients = 2;
  script.final_reply_for = [](std::size_t n) {
    return n == 0 ? std::string("250 2.0.0 Ok: queued as T0")
                  : std::string("451 4.3.0 Error: queue file write error");
  };
  ScriptedSmtpPeer peer(script);
  auto provider = make(peer);
  auto result = harness_.send(*provider, to_many(3));
  EXPECT_EQ(result.failure_class, FailureClass::transient);
  EXPECT_EQ(result.code, "451 4.3.0");
  EXPECT_EQ(result.detail.rfind("after 1 transaction(s) that went through, to 2 recipient(s)", 0),
            0u)
      << result.detail;
  EXPECT_EQ(result.settled_recipients,
            (std::vector<std::string>{"a@example.org", "b@example.org"}));
  EXPECT_EQ(peer.data().size(), 2u);
}

TEST_F(SmtpRelayTest, ShortageOfStorageIsNotTakenForTheRecipientLimit) {
  // 452 4.3.1 is the relay's own trouble, not its limit: no second
  // transaction now; the deferred recipient waits for the message's retry.
  SmtpPeerScript script;
  script.max_recipients = 1;
  script.full_reply = "452 4.3.1 Insufficient system storage";
  ScriptedSmtpPeer peer(script);
  auto provider = make(peer);
  auto result = harness_.send(*provider, to_many(2));
  EXPECT_EQ(result.failure_class, FailureClass::transient);
  EXPECT_EQ(result.code, "452 4.3.1");
  EXPECT_EQ(result.settled_recipients, std::vector<std::string>{"a@example.org"});
  EXPECT_EQ(peer.data().size(), 1u);
  auto commands = only(peer.plain_commands(), {"MAIL"});
  EXPECT_EQ(commands.size(), 1u);
}

TEST_F(SmtpRelayTest, ContentRejectionAfterDataIsPermanent) {
  SmtpPeerScript script;
  script.final_reply = "554 5.6.0 Message content rejected";
  ScriptedSmtpPeer peer(script);
  auto provider = make(peer);
  auto result = harness_.send(*provider, simple());
  EXPECT_EQ(result.failure_class, FailureClass::permanent);
  EXPECT_EQ(result.code, "554 5.6.0");
}

TEST_F(SmtpRelayTest, NoAnswerAfterTheFinalDotIsTransient) {
  SmtpPeerScript script;
  script.hang_after_data = true;
  ScriptedSmtpPeer peer(script);
  auto provider = make(peer, {{"data_timeout", "300ms"}});
  auto result = harness_.send(*provider, simple());
  EXPECT_EQ(result.failure_class, FailureClass::transient);
  EXPECT_EQ(result.code, "timeout");
}

TEST_F(SmtpRelayTest, RefusesMessagesAboveTheAdvertisedSize) {
  SmtpPeerScript script;
  script.keywords = {"PIPELINING", "SIZE 100"};
  ScriptedSmtpPeer peer(script);
  auto provider = make(peer);
  auto result = harness_.send(*provider, simple(std::string(200, 'x') + "\r\n"));
  EXPECT_EQ(result.failure_class, FailureClass::permanent);
  EXPECT_EQ(result.code, "too_large");
  EXPECT_EQ(provider->max_message_bytes(), 100u);  // learned from EHLO
  for (const auto& c : peer.plain_commands()) EXPECT_NE(c.rfind("MAIL", 0), 0u) << c;
}

TEST_F(SmtpRelayTest, AuthenticatesWithPlainOrLogin) {
  SmtpPeerScript plain_script;
  plain_script.auth_mechanisms = {"PLAIN", "LOGIN"};
  ScriptedSmtpPeer plain_peer(plain_script);
  auto plain =
      make(plain_peer,
           {{"username", "user"}, {"password", "pässword"}, {"allow_insecure_auth", "true"}});
  ASSERT_EQ(harness_.send(*plain, simple()).failure_class, FailureClass::ok);
  EXPECT_EQ(plain_peer.plain_commands()[1],
            "AUTH PLAIN " + base64_encode(std::string("\0user\0pässword", 15)));

  SmtpPeerScript login_script;
  login_script.auth_mechanisms = {"LOGIN"};
  ScriptedSmtpPeer login_peer(login_script);
  auto login = make(
      login_peer, {{"username", "user"}, {"password", "secret"}, {"allow_insecure_auth", "true"}});
  ASSERT_EQ(harness_.send(*login, simple()).failure_class, FailureClass::ok);
  auto commands = login_peer.plain_commands();
  EXPECT_EQ(commands[1], "AUTH LOGIN");
  EXPECT_EQ(commands[2], base64_encode("user"));
  EXPECT_EQ(commands[3], base64_encode("secret"));
}

TEST_F(SmtpRelayTest, RejectedCredentialsMeanTheProviderIsDown) {
  SmtpPeerScript script;
  script.auth_mechanisms = {"PLAIN"};
  script.auth_reply = "535 5.7.8 Authentication credentials invalid";
  ScriptedSmtpPeer peer(script);
  auto provider =
      make(peer, {{"username", "user"}, {"password", "bad"}, {"allow_insecure_auth", "true"}});
  auto result = harness_.send(*provider, simple());
  EXPECT_EQ(result.failure_class, FailureClass::provider_down);
  EXPECT_EQ(result.code, "535 5.7.8");
  EXPECT_EQ(harness_.probe(*provider).failure_class, FailureClass::provider_down);
}

TEST_F(SmtpRelayTest, UpgradesWithStarttlsAndVerifiesTheRelay) {
  auto pki = postern::test::make_test_pki({"localhost"}, {"127.0.0.1"});
  postern::test::TempDir dir;
  std::ofstream(dir.file("ca.pem")) << pki.ca_cert_pem;
  SmtpPeerScript script;
  script.cert_pem = pki.server_cert_pem;
  script.key_pem = pki.server_key_pem;
  script.offer_starttls = true;
  script.auth_mechanisms = {"PLAIN"};
  ScriptedSmtpPeer peer(script);
  auto provider = make(peer, {{"tls", "starttls"},
                              {"tls_ca_file", dir.file("ca.pem")},
                              {"username", "u"},
                              {"password", "p"}});
  auto result = harness_.send(*provider, simple());
  EXPECT_EQ(result.failure_class, FailureClass::ok) << result.detail;
  auto commands = peer.plain_commands();
  ASSERT_GE(commands.size(), 4u);
  EXPECT_EQ(commands[0], "EHLO postern.test");
  EXPECT_EQ(commands[1], "STARTTLS");
  EXPECT_EQ(commands[2], "EHLO postern.test");  // asked again under TLS (RFC 3207 §4.2)
  EXPECT_EQ(commands[3].rfind("AUTH PLAIN ", 0), 0u);

  // Without the CA the relay's certificate is refused.
  auto unverified = make(peer, {{"tls", "starttls"}});
  auto refused = harness_.send(*unverified, simple());
  EXPECT_EQ(refused.failure_class, FailureClass::provider_down);
  EXPECT_EQ(refused.code, "tls_failed");
}

TEST_F(SmtpRelayTest, SpeaksImplicitTls) {
  auto pki = postern::test::make_test_pki({"localhost"}, {"127.0.0.1"});
  postern::test::TempDir dir;
  std::ofstream(dir.file("ca.pem")) << pki.ca_cert_pem;
  SmtpPeerScript script;
  script.cert_pem = pki.server_cert_pem;
  script.key_pem = pki.server_key_pem;
  script.implicit_tls = true;
  ScriptedSmtpPeer peer(script);
  auto provider = make(peer, {{"tls", "implicit"}, {"tls_ca_file", dir.file("ca.pem")}});
  auto result = harness_.send(*provider, simple());
  EXPECT_EQ(result.failure_class, FailureClass::ok) << result.detail;
  EXPECT_EQ(peer.data().size(), 1u);
}

TEST_F(SmtpRelayTest, NeverFallsBackToClearTextWhenStarttlsIsMissing) {
  ScriptedSmtpPeer peer;  // offers no STARTTLS
  auto provider = make(peer, {{"tls", "starttls"}});
  auto result = harness_.send(*provider, simple());
  EXPECT_EQ(result.failure_class, FailureClass::provider_down);
  EXPECT_EQ(result.code, "starttls_unavailable");
  EXPECT_TRUE(peer.data().empty());
}

TEST_F(SmtpRelayTest, GreetingAndConnectFailuresMeanTheProviderIsDown) {
  SmtpPeerScript script;
  script.greeting = "554 5.3.2 No SMTP service here";
  ScriptedSmtpPeer peer(script);
  auto provider = make(peer);
  auto result = harness_.send(*provider, simple());
  EXPECT_EQ(result.failure_class, FailureClass::provider_down);
  EXPECT_EQ(result.code, "554 5.3.2");

  std::uint16_t port;
  {
    ScriptedSmtpPeer gone;
    port = gone.port();
  }
  ProviderConfig config = provider_config(
      "smtp", {{"host", "127.0.0.1"}, {"port", std::to_string(port)}, {"tls", "none"}});
  auto down = SmtpRelayFactory().create(config, harness_.context()).value();
  auto refused = harness_.send(*down, simple());
  EXPECT_EQ(refused.failure_class, FailureClass::provider_down);
  EXPECT_EQ(refused.code, "connection_refused");
  EXPECT_FALSE(harness_.probe(*down).healthy);
}

TEST_F(SmtpRelayTest, FallsBackToHeloAndUsesSmtputf8OnlyWhenOffered) {
  SmtpPeerScript script;
  script.ehlo_supported = false;
  ScriptedSmtpPeer peer(script);
  auto provider = make(peer);
  ASSERT_EQ(harness_.send(*provider, simple()).failure_class, FailureClass::ok);
  EXPECT_EQ(peer.plain_commands()[1], "HELO postern.test");
  auto utf8 = raw_message("From: s@example.com\r\nTo: j@example.org\r\nSubject: x\r\n\r\nx\r\n",
                          {"s@example.com", {{"jürgen@example.org", RecipientKind::to}}});
  auto refused = harness_.send(*provider, utf8);
  EXPECT_EQ(refused.failure_class, FailureClass::permanent);
  EXPECT_EQ(refused.code, "smtputf8_unavailable");

  SmtpPeerScript modern;
  modern.keywords = {"PIPELINING", "SMTPUTF8", "8BITMIME"};
  ScriptedSmtpPeer modern_peer(modern);
  auto capable = make(modern_peer);
  ASSERT_EQ(harness_.send(*capable, utf8).failure_class, FailureClass::ok);
  EXPECT_EQ(modern_peer.plain_commands()[1], "MAIL FROM:<s@example.com> SMTPUTF8");
}

TEST_F(SmtpRelayTest, StructuredMailGoesAsTheBuiltMime) {
  ScriptedSmtpPeer peer;
  auto provider = make(peer);
  auto message = json_message(sample_message());
  auto result = harness_.send(*provider, message);
  ASSERT_EQ(result.failure_class, FailureClass::ok) << result.detail;
  EXPECT_NE(peer.data()[0].find("X-Postern-Id: " + message->id_string()), std::string::npos);
  EXPECT_EQ(peer.data()[0].find("hidden@example.com"),
            std::string::npos);  // Bcc only in the envelope
  auto commands = peer.plain_commands();
  EXPECT_NE(std::find(commands.begin(), commands.end(), "RCPT TO:<hidden@example.com>"),
            commands.end());
  // The built MIME is 7-bit (quoted-printable, base64, RFC 2047): no BODY=.
  EXPECT_EQ(commands[1].find(" BODY="), std::string::npos);
}

TEST_F(SmtpRelayTest, DeclaresEightBitBodiesWhenTheRelayTakesThem) {
  ScriptedSmtpPeer peer;  // offers 8BITMIME
  auto provider = make(peer);
  ASSERT_EQ(harness_
                .send(*provider, simple("Gr\xC3\xBC\xC3\x9F"
                                        "e\r\n"))
                .failure_class,
            FailureClass::ok);
  EXPECT_NE(peer.plain_commands()[1].find(" BODY=8BITMIME"), std::string::npos);
  EXPECT_NE(peer.data()[0].find("Gr\xC3\xBC\xC3\x9F"
                                "e\r\n"),
            std::string::npos);
}

TEST_F(SmtpRelayTest, ProbeOpensASessionAndKeepsItWarm) {
  ScriptedSmtpPeer peer;
  auto provider = make(peer);
  auto probe = harness_.probe(*provider);
  EXPECT_TRUE(probe.healthy) << probe.detail;
  ASSERT_EQ(harness_.send(*provider, simple()).failure_class, FailureClass::ok);
  EXPECT_EQ(peer.connections(), 1u);
}

TEST(SmtpRelaySettings, ValidatesByName) {
  auto key = [](std::map<std::string, std::string> s) {
    auto r = read_smtp_settings(provider_config("smtp", std::move(s)));
    return r ? std::string("ok") : r.error().key;
  };
  EXPECT_EQ(key({}), "providers[0].host");
  EXPECT_EQ(key({{"host", "h"}, {"tls", "ssl"}}), "providers[0].tls");
  EXPECT_EQ(key({{"host", "h"}, {"port", "99999"}}), "providers[0].port");
  EXPECT_EQ(key({{"host", "h"}, {"username", "u"}}), "providers[0].password");
  EXPECT_EQ(key({{"host", "h"}, {"tls", "none"}, {"username", "u"}, {"password", "p"}}),
            "providers[0].username");
  EXPECT_EQ(key({{"host", "h"}, {"user", "u"}}), "providers[0].user");
  EXPECT_EQ(key({{"host", "h"}, {"max_message_bytes", "lots"}}), "providers[0].max_message_bytes");
  auto defaults = read_smtp_settings(provider_config("smtp", {{"host", "h"}})).value();
  EXPECT_EQ(defaults.port, 587);
  EXPECT_EQ(defaults.tls, TlsMode::starttls);
  EXPECT_EQ(read_smtp_settings(provider_config("smtp", {{"host", "h"}, {"tls", "implicit"}}))
                .value()
                .port,
            465);
  EXPECT_EQ(
      read_smtp_settings(provider_config("smtp", {{"host", "h"}, {"tls", "none"}})).value().port,
      25);
  EXPECT_EQ(
      read_smtp_settings(provider_config("smtp", {{"host", "h"}, {"max_message_bytes", "10MiB"}}))
          .value()
          .max_message_bytes,
      10u * 1024 * 1024);
}

}  // namespace
}  // namespace postern::providers::smtp
