// What the simulator counts: accepted/rejected per service, Postern ids and
// their duplicates across services, kept receipts within the byte budget,
// and the --record file read back after a restart.
#include "sim/common/ledger.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cctype>
#include <fstream>

#include "core/message_id.h"
#include "support/temp_dir.h"

namespace postern::sim {
namespace {

Receipt receipt(Service s, std::string body = "body") {
  Receipt r;
  r.service = s;
  r.provider_message_id = "pid";
  r.method = "POST";
  r.target = "/x";
  r.body = std::move(body);
  return r;
}

const std::vector<Service> kStarted = {Service::mailgun, Service::smtp};

TEST(Ledger, CountsAndDuplicates) {
  Ledger ledger(1 << 20, std::nullopt);
  ledger.accept("0abcdefghjkmn", receipt(Service::mailgun));
  ledger.accept("0abcdefghjkmn", receipt(Service::smtp));
  ledger.accept("0abcdefghjkmp", receipt(Service::mailgun));
  ledger.accept("0abcdefghjkmp", receipt(Service::mailgun));
  ledger.accept("0abcdefghjkmp", receipt(Service::mailgun));
  ledger.accept("", receipt(Service::mailgun));
  ledger.accept("test-id", receipt(Service::smtp));
  ledger.reject(Service::mailgun, 401);
  ledger.reject(Service::mailgun, 401);
  ledger.reject(Service::mailgun, 503);

  auto stats = ledger.stats_json({}, kStarted);
  auto mg = stats.at("services").at("mailgun").as_object();
  EXPECT_EQ(mg.at("accepted").as_uint64(), 5u);
  EXPECT_EQ(mg.at("unidentified").as_uint64(), 1u);
  EXPECT_EQ(mg.at("unique_ids").as_uint64(), 2u);
  EXPECT_EQ(mg.at("duplicate_ids").as_uint64(), 1u);
  EXPECT_EQ(mg.at("duplicate_messages").as_uint64(), 2u);
  EXPECT_EQ(mg.at("duplicates").at("0abcdefghjkmp").as_uint64(), 3u);
  EXPECT_EQ(mg.at("rejected").at("401").as_uint64(), 2u);
  EXPECT_EQ(mg.at("rejected_total").as_uint64(), 3u);
  EXPECT_EQ(mg.at("ids").as_array().size(), 2u);

  auto total = stats.at("total").as_object();
  EXPECT_EQ(total.at("accepted").as_uint64(), 7u);
  EXPECT_EQ(total.at("unique_ids").as_uint64(), 3u);
  // Delivered by two services: a duplicate overall, not within either.
  EXPECT_EQ(total.at("duplicates").at("0abcdefghjkmn").as_uint64(), 2u);
  EXPECT_EQ(total.at("duplicate_ids").as_uint64(), 2u);
  EXPECT_FALSE(stats.at("services").as_object().contains("ses"));
}

TEST(Ledger, ListingLimit) {
  Ledger ledger(0, std::nullopt);
  for (int i = 0; i < 20; ++i) ledger.accept("id-" + std::to_string(i), receipt(Service::mailgun));
  auto stats = ledger.stats_json(StatsQuery{10, false}, kStarted);
  EXPECT_TRUE(stats.at("services").at("mailgun").at("ids").is_null());
  EXPECT_TRUE(stats.at("services").at("mailgun").at("ids_omitted").as_bool());
  auto all = ledger.stats_json(StatsQuery{10, true}, kStarted);
  EXPECT_EQ(all.at("services").at("mailgun").at("ids").as_array().size(), 20u);
}

TEST(Ledger, ReceiptsAndEviction) {
  Ledger ledger(3 * receipt(Service::mailgun, std::string(1000, 'x')).weight() + 100, std::nullopt);
  for (int i = 0; i < 5; ++i)
    ledger.accept("0abcdefghjkmn", receipt(Service::mailgun, std::string(1000, 'x')));
  auto found = ledger.receipts_json("0abcdefghjkmn");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->at("received").as_uint64(), 5u);
  EXPECT_EQ(found->at("receipts").as_array().size(), 3u);
  EXPECT_EQ(found->at("receipts_evicted").as_uint64(), 2u);
  auto first = found->at("receipts").as_array()[0].as_object();
  EXPECT_EQ(first.at("method").as_string(), "POST");
  EXPECT_EQ(first.at("body").as_string(), std::string(1000, 'x'));
  EXPECT_FALSE(ledger.receipts_json("0abcdefghjkmp"));
}

TEST(Ledger, BinaryBodiesOnlyInBase64) {
  Ledger ledger(1 << 20, std::nullopt);
  ledger.accept("x", receipt(Service::smtp, std::string("\xff\xfe", 2)));
  auto found = ledger.receipts_json("x");
  ASSERT_TRUE(found);
  auto r = found->at("receipts").as_array()[0].as_object();
  EXPECT_TRUE(r.at("body").is_null());
  EXPECT_EQ(r.at("body_base64").as_string(), "//4=");
  EXPECT_TRUE(r.contains("envelope"));
}

TEST(Ledger, RecordSurvivesARestartAndResetEmptiesIt) {
  test::TempDir dir;
  auto path = dir.file("record.tsv");
  {
    Ledger ledger(0, RecordFile::open(path).value());
    ledger.accept("0abcdefghjkmn", receipt(Service::mailgun));
    ledger.accept("0abcdefghjkmn", receipt(Service::ses));
    ledger.accept("", receipt(Service::smtp));
  }
  {
    std::ofstream torn(path, std::ios::app);
    torn << "mailgun\t0zzzz";  // a kill in the middle of a write
  }
  Ledger restarted(0, RecordFile::open(path).value());
  auto lines =
      RecordFile::replay(path, [&](Service s, std::string_view id, std::string_view provider_id) {
        EXPECT_EQ(provider_id, "pid");
        restarted.restore(s, id);
      });
  EXPECT_EQ(lines, 3u);
  auto stats = restarted.stats_json({}, {Service::mailgun, Service::ses, Service::smtp});
  EXPECT_EQ(stats.at("total").at("accepted").as_uint64(), 3u);
  EXPECT_EQ(stats.at("total").at("duplicates").at("0abcdefghjkmn").as_uint64(), 2u);
  restarted.reset();
  EXPECT_EQ(RecordFile::replay(path, [](Service, std::string_view, std::string_view) {}), 0u);
}

TEST(IdCounts, PosternIdsUseCompactKeys) {
  IdCounts ids;
  auto id = MessageId(123456789).to_string();
  ids.add(Service::sendgrid, id);
  ids.add(Service::sendgrid, id);
  ids.add(Service::postmark, id);
  auto counts = ids.find(id);
  ASSERT_TRUE(counts);
  EXPECT_EQ(counts->total, 3u);
  EXPECT_EQ(counts->per_service[service_index(Service::sendgrid)], 2u);
  // Upper case is another id (Postern writes lower case only).
  std::string upper = id;
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (upper != id) {
    EXPECT_FALSE(ids.find(upper));
  }
  EXPECT_EQ(ids.unique(std::nullopt), 1u);
  EXPECT_EQ(ids.duplicate_ids(Service::sendgrid), 1u);
  EXPECT_EQ(ids.duplicate_ids(Service::postmark), 0u);
}

}  // namespace
}  // namespace postern::sim
