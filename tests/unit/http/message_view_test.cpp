// How a stored message's recipients look in GET /v1/messages/{id}: the
// provider's latest report, else the send-time state (docs/events.md
// "Recipient states").
#include "http/message_view.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace postern::http {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

store::MessageDetail detail(MessageStatus status, std::vector<std::string> to) {
  store::MessageDetail d;
  d.summary.status = status;
  d.summary.provider = "primary";
  for (auto& a : to) d.summary.recipients.push_back({a, RecipientKind::to});
  return d;
}

// address -> state, in the order shown.
std::vector<std::pair<std::string, std::string>> states(const store::MessageDetail& d) {
  std::vector<std::pair<std::string, std::string>> out;
  const auto shown = message_detail_json(d);
  for (const auto& r : shown.at("recipients").as_array()) {
    out.emplace_back(json::value_to<std::string>(r.at("address")),
                     json::value_to<std::string>(r.at("state")));
  }
  return out;
}

using States = std::vector<std::pair<std::string, std::string>>;

TEST(MessageView, AProvidersReportStandsForItsRecipient) {
  auto d = detail(MessageStatus::sent, {"a@x.org", "b@x.org"});
  d.recipient_states.push_back(
      {"b@x.org", "bounced", SystemTime(1'700'000'000s), "550 no such user", "mailgun"});
  EXPECT_EQ(states(d), (States{{"a@x.org", "sent"}, {"b@x.org", "bounced"}}));
  const auto shown = message_detail_json(d);
  auto b = shown.at("recipients").as_array()[1].as_object();
  EXPECT_EQ(b.at("at"), "2023-11-14T22:13:20.000Z");
  EXPECT_EQ(b.at("detail"), "550 no such user");
  EXPECT_EQ(b.at("provider"), "mailgun");
  auto a = shown.at("recipients").as_array()[0].as_object();
  EXPECT_TRUE(a.at("at").is_null());
  EXPECT_TRUE(a.at("detail").is_null());
  EXPECT_EQ(a.at("provider"), "primary");
}

TEST(MessageView, WithoutAReportTheSendTimeStateShows) {
  auto d = detail(MessageStatus::deferred, {"s@x.org", "r@x.org", "d@x.org", "w@x.org"});
  d.summary.suppressed_recipients = {"s@x.org"};
  d.summary.settled_recipients = {"d@x.org", "r@x.org"};  // delivered ones first, then refused
  d.summary.refused_recipients = {"r@x.org"};
  EXPECT_EQ(states(d), (States{{"s@x.org", "suppressed"},
                               {"r@x.org", "refused"},
                               {"d@x.org", "sent"},
                               {"w@x.org", "queued"}}));
  const auto shown = message_detail_json(d);
  auto w = shown.at("recipients").as_array()[3].as_object();
  EXPECT_TRUE(w.at("provider").is_null());  // not sent: no provider
  d.summary.status = MessageStatus::failed;
  EXPECT_EQ(states(d)[3].second, "failed");
  d.summary.status = MessageStatus::cancelled;
  EXPECT_EQ(states(d)[3].second, "cancelled");
}

TEST(MessageView, AReportOnAnAddressTheEnvelopeDoesNotHoldComesLast) {
  auto d = detail(MessageStatus::sent, {"a@x.org"});
  d.recipient_states.push_back({"list-member@x.org", "delivered", SystemTime(1s), "", "sendgrid"});
  EXPECT_EQ(states(d), (States{{"a@x.org", "sent"}, {"list-member@x.org", "delivered"}}));
}

TEST(MessageView, AReportInTheTimelineNamesItsRecipient) {
  auto d = detail(MessageStatus::sent, {"a@x.org"});
  store::Event report;
  report.type = "complained";
  report.status = MessageStatus::sent;
  report.provider = "postmark";
  report.recipient = "a@x.org";
  d.events.push_back(report);
  store::Event own;
  own.type = "sent";
  own.status = MessageStatus::sent;
  d.events.push_back(own);
  const auto shown = message_detail_json(d);
  auto events = shown.at("events").as_array();
  EXPECT_EQ(events[0].at("recipient"), "a@x.org");
  EXPECT_EQ(events[0].at("provider"), "postmark");
  EXPECT_FALSE(events[1].as_object().contains("recipient"));
  EXPECT_EQ(shown.at("suppressed_recipients").as_array().size(), 0u);
}

}  // namespace
}  // namespace postern::http
