// One libpq connection of the PostgreSQL store, with the few calls the
// store makes: statements with parameters (text, or raw bytes for bytea),
// results read as text, and statements deferred to be sent together in
// libpq's pipeline mode (one round trip for a whole group commit).
//
// Each statement text is prepared once per session, the first time it runs,
// and executed by name after that: PostgreSQL then parses and plans it
// once, not at every execution (for the store's short statements, parsing
// and planning cost the server more than running them). Texts beyond
// kPreparedMost run unnamed, as rare texts built from a search's parts do.
//
// Blocking: each connection is used by one thread at a time (the group
// commit writer, or a reader borrowed from the pool), as the SQLite store's
// are; see postgres_store.h for why the store runs on threads of its own.
//
// A lost connection (server restarted, network cut, failover) is made again
// by ensure(), which the store calls before each transaction and each read:
// libpq re-reads the connection string then, so a multi-host string with
// target_session_attrs=read-write finds the new primary. While the server
// stays away, attempts are spaced by a backoff (kRetryFirst doubling to
// kRetryMost): a node under load neither hammers a server that is starting
// nor waits long for one that is back.
#pragma once

#include <libpq-fe.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/error.h"

namespace postern::store::postgres {

// The parameters of one statement ($1, $2, ...), owning their values so
// that a deferred statement outlives its caller's strings.
class Params {
 public:
  Params& text(std::string_view v);
  Params& integer(std::int64_t v);
  Params& bytes(std::string_view v);  // bytea, sent raw (binary format)
  Params& null();
  std::size_t size() const { return values_.size(); }
  // The values, in order (nullopt: null), as given.
  const std::vector<std::optional<std::string>>& values() const { return values_; }
  // The bytes the values hold.
  std::size_t held_bytes() const;

 private:
  friend class Connection;
  // The values as libpq's calls take them: pointers into this object.
  struct Bound {
    std::vector<const char*> values;
    std::vector<int> lengths;
    int count() const { return static_cast<int>(values.size()); }
  };
  Bound bind() const;
  std::vector<std::optional<std::string>> values_;
  std::vector<int> formats_;
};

// The rows of a statement, read as text (bytea columns too, unless the
// statement asked for raw results: Connection::query_raw).
class Rows {
 public:
  Rows(PGresult* r, bool raw) : r_(r, &PQclear), raw_(raw) {}
  int size() const { return PQntuples(r_.get()); }
  bool null(int row, int col) const { return PQgetisnull(r_.get(), row, col) != 0; }
  std::string_view view(int row, int col) const {
    return {PQgetvalue(r_.get(), row, col),
            static_cast<std::size_t>(PQgetlength(r_.get(), row, col))};
  }
  std::string text(int row, int col) const { return std::string(view(row, col)); }
  std::int64_t integer(int row, int col) const;
  // A bytea column's bytes.
  std::string bytes(int row, int col) const;
  // Rows an INSERT, UPDATE or DELETE touched.
  std::int64_t affected() const;

 private:
  std::unique_ptr<PGresult, void (*)(PGresult*)> r_;
  bool raw_;
};

// A statement that writes the rows deferred for it (Connection::defer_row)
// in one execution: its parameters are arrays, one per column, of `columns`'
// types (row_arrays.h).
struct RowStatement {
  enum class Type { int8, text, bytea };
  std::string sql;
  std::vector<Type> columns;
};

// A statement and its parameters, sent later or in a group; or, when
// `rows_of` is set, the rows deferred for that statement, whose arrays
// become the parameters when it is sent.
struct Statement {
  std::string sql;
  Params params;
  const RowStatement* rows_of = nullptr;
  std::vector<Params> rows;
  std::size_t row_bytes = 0;
};

class Connection {
 public:
  // Connects with `conninfo` (a libpq key/value string or a postgresql://
  // URI, several hosts allowed) and runs `setup` (SET statements) on this
  // and every later connection. storage_unavailable when it cannot.
  static Result<std::unique_ptr<Connection>> open(const std::string& conninfo,
                                                  std::vector<std::string> setup = {});
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Connects again if the connection was lost (or left unusable).
  // storage_unavailable when the server cannot be reached, or at once when
  // the last attempt failed less than the backoff ago.
  Result<void> ensure();

  // Runs a statement and answers its rows; deferred statements go first,
  // in the same pipeline (one round trip for them all).
  Result<Rows> query(std::string_view sql, const Params& params = {});
  // The same, with every column answered as raw bytes (bytea content).
  Result<Rows> query_raw(std::string_view sql, const Params& params = {});
  // Runs `statements` after the deferred ones, all in one pipeline (one
  // round trip), and answers each one's rows, in order: the first error
  // when any failed (the transaction is then aborted).
  Result<std::vector<Rows>> query_each(std::vector<Statement> statements);
  // Runs several statements without parameters (a migration's text).
  Result<void> script(const std::string& sql);
  // Queues a statement whose rows nobody reads; it is sent with the next
  // query or flush, in one pipeline with the others.
  void defer(std::string sql, Params params);
  // Queues a row for `statement` (which must outlive the call's pipeline):
  // rows deferred one after another for the same statement go as one
  // execution (up to kRowBatchBytes of values), in their order among the
  // other deferred statements.
  void defer_row(const RowStatement& statement, Params row);
  // Sends the deferred statements (pipelined) and reads their answers: the
  // first error, if any.
  Result<void> flush();
  // Forgets the deferred statements (their transaction is rolled back).
  void discard_deferred() { deferred_.clear(); }
  // Waits up to `timeout` for notifications of the channels this session
  // LISTENs to, or for `wake_fd` to turn readable, and answers how many
  // notifications arrived (0: none, timed out or woken). Their channels
  // and payloads are not kept: a listener here only needs to know that
  // something happened. storage_unavailable when the connection was lost.
  Result<std::size_t> wait_for_notifications(int wake_fd, std::chrono::milliseconds timeout);
  // Whether a transaction is open (or failed and awaiting ROLLBACK).
  bool in_transaction() const;
  std::string last_error() const { return last_error_; }
  // Whether a notification (LISTEN, in the setup) arrived since the last
  // call; reads what the socket holds, without a round trip.
  bool take_notifications();
  // Counts the connections made: a new one may have missed notifications.
  std::uint64_t generation() const { return generation_; }

 private:
  Connection(std::string conninfo, std::vector<std::string> setup, PGconn* conn);
  Result<void> run_setup();
  Result<Rows> run(const std::string& sql, const Params& params, int result_format);
  Result<Rows> query_after_deferred(std::string sql, const Params& params, int result_format);
  // Sends the deferred statements, then `answered`, pipelined, and reads
  // their answers: the first error, else the rows of each of `answered`
  // (in `format`: 0 text, 1 raw).
  Result<std::vector<Rows>> pipeline(std::vector<Statement> answered, int format);
  // The name `sql` is prepared under on this session, preparing it first
  // (one round trip, once per session); nullptr when the cache is full and
  // it runs unnamed.
  Result<const std::string*> prepared(const std::string& sql);
  // Maps a failed result (or a lost connection) to the store's errors.
  error_code failure(const PGresult* r);

  std::string conninfo_;
  std::vector<std::string> setup_;
  PGconn* conn_;
  std::vector<Statement> deferred_;
  // Statement text -> its name on this session; emptied with a new session.
  std::unordered_map<std::string, std::string> prepared_;
  std::string last_error_;
  bool broken_ = false;  // unusable although libpq still says CONNECTION_OK
  std::uint64_t generation_ = 0;
  // The backoff after failed attempts to connect again (ensure()).
  std::chrono::milliseconds retry_delay_{0};
  std::chrono::steady_clock::time_point next_try_{};
};

}  // namespace postern::store::postgres
