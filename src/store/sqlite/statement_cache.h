// The prepared statements of one connection, looked up by their SQL text.
// Every statement is prepared when the cache is made, so a typo in any of
// them fails the store's open (and every test), not the first call that
// happens to run it.
#pragma once

#include <initializer_list>
#include <string_view>
#include <unordered_map>

#include "store/sqlite/database.h"

namespace postern::store::sqlite {

class StatementCache {
 public:
  // Prepares each of `sqls`, which must outlive the cache (string literals).
  Result<void> add(Database& db, std::initializer_list<std::string_view> sqls) {
    for (auto sql : sqls) {
      auto s = db.prepare(sql);
      if (!s) return s.error();
      statements_.emplace(sql, std::move(*s));
    }
    return {};
  }

  // One of the statements given to add (throws std::out_of_range for
  // any other: a programming error that every test would show).
  Statement& operator[](std::string_view sql) { return statements_.at(sql); }

 private:
  std::unordered_map<std::string_view, Statement> statements_;
};

}  // namespace postern::store::sqlite
