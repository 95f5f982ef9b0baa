// The SMTP relay classification table, row by row
// (docs/providers.md, Failure classes).
#include <gtest/gtest.h>

#include "providers/smtp/smtp_outcome.h"

namespace postern::providers::smtp {
namespace {

SmtpReply reply(int code, std::string enhanced, std::string text) {
  return {code, enhanced, {enhanced.empty() ? text : enhanced + " " + text}};
}

// What a relay session reports after every recipient was asked.
TransactionOutcome asked(std::vector<RecipientReply> recipients,
                         std::vector<SentTransaction> sent) {
  TransactionOutcome o;
  o.recipients = std::move(recipients);
  o.sent = std::move(sent);
  o.envelope_recipients = o.recipients.size();
  return o;
}

SendResult at(SmtpStage stage, int code, std::string enhanced = "", std::string text = "x") {
  return classify_smtp_failure({stage, reply(code, enhanced, text), SmtpLocal::none, ""});
}

TEST(SmtpClassify, RepliesByStage) {
  struct Row {
    SmtpStage stage;
    int code;
    std::string enhanced;
    std::string text;
    FailureClass expected;
  };
  const std::vector<Row> rows = {
      {SmtpStage::greeting, 421, "4.3.2", "Service not available", FailureClass::provider_down},
      {SmtpStage::greeting, 554, "", "No SMTP service here", FailureClass::provider_down},
      {SmtpStage::ehlo, 450, "", "try later", FailureClass::provider_down},
      {SmtpStage::starttls, 454, "4.7.0", "TLS not available", FailureClass::provider_down},
      {SmtpStage::auth, 535, "5.7.8", "Authentication credentials invalid",
       FailureClass::provider_down},
      {SmtpStage::auth, 534, "5.7.9", "Authentication mechanism is too weak",
       FailureClass::provider_down},
      {SmtpStage::auth, 538, "5.7.11", "Encryption required", FailureClass::provider_down},
      {SmtpStage::auth, 454, "4.7.0", "Temporary authentication failure",
       FailureClass::provider_down},
      {SmtpStage::mail, 530, "5.7.0", "Authentication required", FailureClass::provider_down},
      {SmtpStage::mail, 550, "5.7.1", "Relay access denied", FailureClass::provider_down},
      {SmtpStage::mail, 451, "4.3.0", "local error", FailureClass::transient},
      {SmtpStage::mail, 452, "4.3.1", "Insufficient system storage", FailureClass::transient},
      {SmtpStage::mail, 553, "5.1.8", "Bad sender address", FailureClass::permanent},
      {SmtpStage::mail, 454, "4.7.0", "Throttling failure: Maximum sending rate exceeded.",
       FailureClass::transient},
      {SmtpStage::mail, 454, "4.7.0", "Throttling failure: Daily message quota exceeded.",
       FailureClass::provider_down},
      {SmtpStage::mail, 421, "4.4.2", "timeout, closing", FailureClass::provider_down},
      {SmtpStage::rcpt, 450, "4.2.0", "Mailbox busy", FailureClass::transient},
      {SmtpStage::rcpt, 451, "4.7.1", "Greylisted", FailureClass::transient},
      {SmtpStage::rcpt, 452, "4.5.3", "Too many recipients", FailureClass::transient},
      {SmtpStage::rcpt, 550, "5.1.1", "User unknown", FailureClass::permanent},
      {SmtpStage::rcpt, 553, "5.1.3", "Bad address syntax", FailureClass::permanent},
      {SmtpStage::rcpt, 550, "5.2.1", "Mailbox disabled", FailureClass::permanent},
      {SmtpStage::rcpt, 452, "5.2.2", "Mailbox full",
       FailureClass::transient},  // the class digit rules
      {SmtpStage::rcpt, 552, "5.2.2", "Mailbox full", FailureClass::permanent},
      {SmtpStage::rcpt, 554, "5.7.1", "Relay access denied", FailureClass::provider_down},
      {SmtpStage::data, 554, "5.5.1", "No valid recipients", FailureClass::permanent},
      {SmtpStage::data, 451, "4.3.0", "try later", FailureClass::transient},
      {SmtpStage::message, 250, "2.0.0", "queued", FailureClass::ok},
      {SmtpStage::message, 552, "5.3.4", "Message too big for system", FailureClass::permanent},
      {SmtpStage::message, 552, "5.2.3", "Message length exceeds administrative limit",
       FailureClass::permanent},
      {SmtpStage::message, 554, "5.6.0", "Content rejected", FailureClass::permanent},
      {SmtpStage::message, 550, "5.7.1", "Message refused by policy", FailureClass::permanent},
      {SmtpStage::message, 451, "4.3.0", "Queue file write error", FailureClass::transient},
      {SmtpStage::message, 421, "4.3.0", "shutting down", FailureClass::provider_down},
  };
  for (const auto& row : rows) {
    if (row.expected == FailureClass::ok) continue;  // 2xx never reaches the failure table
    SCOPED_TRACE(std::string(to_string(row.stage)) + " " + std::to_string(row.code) + " " +
                 row.enhanced);
    auto r = at(row.stage, row.code, row.enhanced, row.text);
    EXPECT_EQ(r.failure_class, row.expected);
    EXPECT_EQ(r.code, row.enhanced.empty() ? std::to_string(row.code)
                                           : std::to_string(row.code) + " " + row.enhanced);
  }
}

TEST(SmtpClassify, LocalFailures) {
  struct Row {
    SmtpStage stage;
    SmtpLocal local;
    FailureClass expected;
  };
  const std::vector<Row> rows = {
      {SmtpStage::connect, SmtpLocal::connection_refused, FailureClass::provider_down},
      {SmtpStage::connect, SmtpLocal::timeout, FailureClass::provider_down},
      {SmtpStage::connect, SmtpLocal::connect_failed, FailureClass::provider_down},
      {SmtpStage::starttls, SmtpLocal::tls_failed, FailureClass::provider_down},
      {SmtpStage::starttls, SmtpLocal::starttls_unavailable, FailureClass::provider_down},
      {SmtpStage::auth, SmtpLocal::auth_unavailable, FailureClass::provider_down},
      {SmtpStage::rcpt, SmtpLocal::connection_lost, FailureClass::provider_down},
      {SmtpStage::data, SmtpLocal::timeout, FailureClass::provider_down},
      // After the final dot: the relay may have the message.
      {SmtpStage::message, SmtpLocal::timeout, FailureClass::transient},
      {SmtpStage::message, SmtpLocal::connection_lost, FailureClass::transient},
      {SmtpStage::mail, SmtpLocal::smtputf8_unavailable, FailureClass::permanent},
      {SmtpStage::mail, SmtpLocal::too_large, FailureClass::permanent},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(std::string(to_string(row.stage)) + " " + std::string(to_string(row.local)));
    auto r = classify_smtp_failure({row.stage, std::nullopt, row.local, "why"});
    EXPECT_EQ(r.failure_class, row.expected);
    EXPECT_EQ(r.code, to_string(row.local));
    EXPECT_NE(r.detail.find("why"), std::string::npos);
  }
}

TEST(SmtpClassify, TransactionsReportRefusedRecipients) {
  auto r = classify_smtp_transaction(asked(
      {{"a@x.org", reply(250, "2.1.5", "Ok")}, {"b@y.org", reply(550, "5.1.1", "User unknown")}},
      {{reply(250, "2.0.0", "Ok: queued as 4BXyz12"), 1}}));
  EXPECT_EQ(r.failure_class, FailureClass::ok);
  EXPECT_EQ(r.provider_message_id, "4BXyz12");
  EXPECT_EQ(r.code, "250 2.0.0");
  EXPECT_NE(r.detail.find("refused recipients: b@y.org (550 5.1.1 User unknown)"),
            std::string::npos)
      << r.detail;
  // As values too: a manual retry of the sent message goes to b@y.org alone.
  EXPECT_EQ(r.settled_recipients, (std::vector<std::string>{"a@x.org", "b@y.org"}));
  EXPECT_EQ(r.refused_recipients, std::vector<std::string>{"b@y.org"});

  TransactionOutcome none;
  none.recipients = {{"b@y.org", reply(550, "5.1.1", "User unknown")}};
  none.failure = SmtpFailure{SmtpStage::rcpt, none.recipients[0].reply, SmtpLocal::none, ""};
  none.envelope_recipients = 1;
  r = classify_smtp_transaction(none);
  EXPECT_EQ(r.failure_class, FailureClass::permanent);
  EXPECT_NE(r.detail.find("b@y.org"), std::string::npos);
  // Everyone refused for good: all settled, for the message to go on with
  // recipients beyond this send, if it has any.
  EXPECT_EQ(r.settled_recipients, std::vector<std::string>{"b@y.org"});
  EXPECT_EQ(r.refused_recipients, std::vector<std::string>{"b@y.org"});

  // Relaying denied: the relay's fault, nobody is settled.
  none.recipients[0].reply = reply(550, "5.7.1", "Relaying denied");
  none.failure->reply = none.recipients[0].reply;
  r = classify_smtp_transaction(none);
  EXPECT_EQ(r.failure_class, FailureClass::provider_down);
  EXPECT_TRUE(r.settled_recipients.empty());
}

TEST(SmtpClassify, DeferredRecipientsAreRetriedAloneAfterTheOthersGotTheMessage) {
  auto r = classify_smtp_transaction(asked({{"a@x.org", reply(250, "2.1.5", "Ok")},
                                            {"b@x.org", reply(450, "4.2.0", "Greylisted")},
                                            {"c@x.org", reply(550, "5.1.1", "User unknown")}},
                                           {{reply(250, "2.0.0", "Ok: queued as AAA"), 1}}));
  EXPECT_EQ(r.failure_class, FailureClass::transient);
  EXPECT_EQ(r.code, "450 4.2.0");
  EXPECT_EQ(r.provider_message_id, "AAA");
  EXPECT_EQ(r.settled_recipients, (std::vector<std::string>{"a@x.org", "c@x.org"}));
  EXPECT_EQ(r.refused_recipients, std::vector<std::string>{"c@x.org"});  // a@x.org has it
  EXPECT_EQ(r.detail,
            "sent to 1 of 3 recipients (250 2.0.0 Ok: queued as AAA; refused recipients: c@x.org "
            "(550 5.1.1 "
            "User unknown)); deferred recipients: b@x.org (450 4.2.0 Greylisted)");

  // None accepted: nothing was sent, the deferral is the answer, and the
  // refused recipient is left out of the retry.
  TransactionOutcome none;
  none.recipients = {{"c@x.org", reply(550, "5.1.1", "User unknown")},
                     {"b@x.org", reply(450, "4.2.0", "Greylisted")}};
  none.failure = SmtpFailure{SmtpStage::rcpt, none.recipients[1].reply, SmtpLocal::none, ""};
  none.envelope_recipients = 2;
  r = classify_smtp_transaction(none);
  EXPECT_EQ(r.failure_class, FailureClass::transient);
  EXPECT_EQ(r.settled_recipients, std::vector<std::string>{"c@x.org"});
  EXPECT_EQ(r.refused_recipients, std::vector<std::string>{"c@x.org"});
  EXPECT_EQ(r.detail, "RCPT: c@x.org (550 5.1.1 User unknown), b@x.org (450 4.2.0 Greylisted)");
}

TEST(SmtpClassify, MessagesSentInSeveralTransactionsSaySo) {
  auto split = asked({{"a@x.org", reply(250, "2.1.5", "Ok")},
                      {"b@x.org", reply(250, "2.1.5", "Ok")},
                      {"c@x.org", reply(250, "2.1.5", "Ok")}},
                     {{reply(250, "2.0.0", "Ok: queued as AAA"), 2},
                      {reply(250, "2.0.0", "Ok: queued as BBB"), 1}});
  auto r = classify_smtp_transaction(split);
  EXPECT_EQ(r.failure_class, FailureClass::ok);
  EXPECT_EQ(r.provider_message_id, "AAA,BBB");
  EXPECT_NE(r.detail.find("in 2 transactions, the relay taking at most 2 recipients in one"),
            std::string::npos)
      << r.detail;

  // The second transaction deferred after the first went through: the
  // recipients of the first are left out of the retry, and the detail
  // says so.
  TransactionOutcome partly = split;
  partly.sent.resize(1);
  partly.last_started = 2;
  partly.recipients[2].reply = reply(451, "4.7.1", "Greylisted");
  partly.failure = SmtpFailure{SmtpStage::rcpt, partly.recipients[2].reply, SmtpLocal::none, ""};
  r = classify_smtp_transaction(partly);
  EXPECT_EQ(r.failure_class, FailureClass::transient);
  EXPECT_EQ(r.detail,
            "after 1 transaction(s) that went through, to 2 recipient(s) whom a retry leaves out: "
            "RCPT: c@x.org "
            "(451 4.7.1 Greylisted)");
  EXPECT_EQ(r.settled_recipients, (std::vector<std::string>{"a@x.org", "b@x.org"}));
  EXPECT_TRUE(r.refused_recipients.empty());
  EXPECT_EQ(r.provider_message_id, "AAA");

  // The second transaction's only recipient refused for good: everybody is
  // settled and somebody has the message, so the message is sent.
  partly.recipients[2].reply = reply(550, "5.1.1", "User unknown");
  partly.failure = SmtpFailure{SmtpStage::rcpt, partly.recipients[2].reply, SmtpLocal::none, ""};
  r = classify_smtp_transaction(partly);
  EXPECT_EQ(r.failure_class, FailureClass::ok);
  EXPECT_NE(r.detail.find("refused recipients: c@x.org (550 5.1.1 User unknown)"),
            std::string::npos)
      << r.detail;
  EXPECT_EQ(r.refused_recipients, std::vector<std::string>{"c@x.org"});
}

TEST(SmtpClassify, RelayMessageIds) {
  EXPECT_EQ(relay_message_id(reply(250, "2.0.0", "Ok: queued as 4BXyz12")), "4BXyz12");
  EXPECT_EQ(relay_message_id(reply(250, "", "OK id=1rT5-0003Xy-2k")), "1rT5-0003Xy-2k");
  EXPECT_EQ(relay_message_id(reply(250, "", "Ok 0100018bd3c4")), "250 Ok 0100018bd3c4");
}

TEST(SmtpClassify, Probes) {
  EXPECT_TRUE(classify_smtp_probe(std::nullopt).healthy);
  auto p = classify_smtp_probe(
      SmtpFailure{SmtpStage::auth, reply(535, "5.7.8", "bad"), SmtpLocal::none, ""});
  EXPECT_FALSE(p.healthy);
  EXPECT_EQ(p.failure_class, FailureClass::provider_down);
}

}  // namespace
}  // namespace postern::providers::smtp
