// store.url as the configuration checks it and the logs show it.
#include "store/postgres/conninfo.h"

#include <gtest/gtest.h>

namespace postern::store::postgres {
namespace {

TEST(Conninfo, KeyValueAndUriStringsParse) {
  EXPECT_FALSE(
      conninfo_problem("host=db1,db2 port=5432,5433 dbname=postern "
                       "target_session_attrs=read-write"));
  EXPECT_FALSE(
      conninfo_problem("postgresql://postern:pw@db1:5432,db2:5433/postern?sslmode=require"));
}

TEST(Conninfo, WhatLibpqRefusesIsSaid) {
  auto unknown = conninfo_problem("host=db nonsense=1");
  ASSERT_TRUE(unknown);
  EXPECT_NE(unknown->find("nonsense"), std::string::npos) << *unknown;
  EXPECT_TRUE(conninfo_problem("host='db"));  // an unclosed quote
  EXPECT_TRUE(conninfo_problem("postgresql://db/postern?bogus=1"));
}

TEST(Conninfo, ThePasswordIsNeverShown) {
  auto uri = conninfo_without_password("postgresql://postern:s3cret@db1:5433/mail");
  EXPECT_EQ(uri.find("s3cret"), std::string::npos) << uri;
  for (auto part : {"user=postern", "host=db1", "port=5433", "dbname=mail"})
    EXPECT_NE(uri.find(part), std::string::npos) << uri;
  auto shown = conninfo_without_password(
      "host=db1,db2 password='a b' dbname=mail sslpassword=k application_name='my node'");
  EXPECT_EQ(shown.find("a b"), std::string::npos) << shown;
  EXPECT_EQ(shown.find("sslpassword"), std::string::npos) << shown;
  EXPECT_NE(shown.find("host=db1,db2"), std::string::npos) << shown;
  EXPECT_NE(shown.find("application_name='my node'"), std::string::npos) << shown;
  EXPECT_EQ(conninfo_without_password("host='db"), "(an invalid connection string)");
}

}  // namespace
}  // namespace postern::store::postgres
