// Thin RAII wrappers over the SQLite C API: a connection and its prepared
// statements, with SQLite result codes mapped to the project's Errc.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>

#include "core/error.h"

struct sqlite3;
struct sqlite3_stmt;

namespace postern::store::sqlite {

namespace detail {
// The Result a row reader's answer becomes: Result<T> for T or Result<T>.
template <class T>
struct AsResult {
  using type = Result<T>;
};
template <class T>
struct AsResult<Result<T>> {
  using type = Result<T>;
};
}  // namespace detail

// Maps a SQLite result code to Errc: SQLITE_FULL -> storage_full,
// SQLITE_CONSTRAINT -> conflict, anything else -> storage_unavailable.
error_code map_sqlite_error(int rc);

class Statement {
 public:
  Statement() = default;
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Binding is 1-based, like SQLite. Text and blobs are copied only when
  // `transient` is set; otherwise they must outlive the next step().
  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, std::string_view text);
  Statement& bind_blob(int index, std::string_view bytes);
  Statement& bind_null(int index);

  // Advances: true when a row is available, false when done. Errors are
  // returned, never thrown.
  Result<bool> step();
  // Runs to completion, ignoring rows.
  Result<void> run();
  // Runs to completion, calling on_row(*this) for each row, then resets.
  template <class OnRow>
  Result<void> each_row(OnRow&& on_row) {
    for (;;) {
      auto row = step();
      if (!row) {
        reset();
        return row.error();
      }
      if (!*row) break;
      on_row(*this);
    }
    reset();
    return {};
  }
  // Steps once and answers read(*this) for the row, then resets; without a
  // row, answers `missing`. `read` answers a value or a Result of one.
  template <class Read>
  auto one_row(error_code missing, Read&& read) ->
      typename detail::AsResult<std::invoke_result_t<Read, Statement&>>::type {
    using Answer = typename detail::AsResult<std::invoke_result_t<Read, Statement&>>::type;
    auto row = step();
    if (!row || !*row) {
      reset();
      return Answer(boost::system::in_place_error, row ? missing : row.error());
    }
    Answer answer = read(*this);
    reset();
    return answer;
  }
  void reset();

  std::int64_t column_int(int i) const;
  std::string column_text(int i) const;
  std::string_view column_view(int i) const;  // valid until the next step()
  bool column_is_null(int i) const;

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

class Database {
 public:
  // Opens (creating when asked) the database at `path`.
  static Result<std::unique_ptr<Database>> open(const std::string& path, bool create);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  Result<void> exec(std::string_view sql);
  // A statement kept for the connection's lifetime (SQLITE_PREPARE_PERSISTENT).
  Result<Statement> prepare(std::string_view sql);
  std::int64_t changes() const;
  std::string last_error() const;
  sqlite3* handle() const { return db_; }

 private:
  explicit Database(sqlite3* db) : db_(db) {}
  sqlite3* db_;
};

}  // namespace postern::store::sqlite
