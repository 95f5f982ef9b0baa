#include "store/postgres/connection.h"

#include <poll.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <cstring>

#include "store/postgres/row_arrays.h"

namespace postern::store::postgres {
namespace {

// Statements sent per pipeline sync: their answers (a few dozen bytes
// each) must fit the socket buffers while libpq, in blocking mode, is
// still sending, or both ends would wait on each other.
constexpr std::size_t kPipelineChunk = 256;

// Distinct statement texts kept prepared per session. The store's own are
// about a hundred; the rest (searches whose text depends on their filter)
// run unnamed once it is full rather than grow the server's memory.
constexpr std::size_t kPreparedMost = 512;

// The values one execution of a RowStatement carries at most: far below
// the server's 1 GiB limit of a parameter, so that big messages queued
// together go as several statements.
constexpr std::size_t kRowBatchBytes = 16 << 20;

// Attempts to connect again while the server is away: the first soon (a
// restart or a failover takes a second or more), then less often, never
// more than a second apart so that a node resumes within one of its return.
constexpr std::chrono::milliseconds kRetryFirst{100};
constexpr std::chrono::milliseconds kRetryMost{1000};

// libpq waits for a TCP connection as long as the kernel does (minutes for
// a host that vanished) unless connect_timeout is set: per host, so a
// multi-host string moves on to the next one. The string's own setting,
// which libpq reads after this one, wins.
constexpr const char* kConnectTimeout = "5";

PGconn* connect(const std::string& conninfo) {
  const char* const keys[] = {"connect_timeout", "dbname", nullptr};
  const char* const values[] = {kConnectTimeout, conninfo.c_str(), nullptr};
  return PQconnectdbParams(keys, values, /*expand_dbname=*/1);
}

// Server notices ("relation already exists, skipping") are not news.
void quiet(void*, const char* message) { spdlog::debug("store: PostgreSQL: {}", message); }

bool sqlstate_is(const PGresult* r, std::string_view code) {
  const char* s = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  return s && std::string_view(s).starts_with(code);
}

}  // namespace

Params& Params::text(std::string_view v) {
  values_.emplace_back(std::string(v));
  formats_.push_back(0);
  return *this;
}

Params& Params::integer(std::int64_t v) { return text(std::to_string(v)); }

Params& Params::bytes(std::string_view v) {
  values_.emplace_back(std::string(v));
  formats_.push_back(1);
  return *this;
}

Params& Params::null() {
  values_.emplace_back(std::nullopt);
  formats_.push_back(0);
  return *this;
}

std::size_t Params::held_bytes() const {
  std::size_t n = 0;
  for (const auto& v : values_) n += v ? v->size() : 0;
  return n;
}

Params::Bound Params::bind() const {
  Bound b;
  for (const auto& v : values_) {
    b.values.push_back(v ? v->data() : nullptr);
    b.lengths.push_back(v ? static_cast<int>(v->size()) : 0);
  }
  return b;
}

std::int64_t Rows::integer(int row, int col) const {
  auto v = view(row, col);
  std::int64_t out = 0;
  if (raw_) {  // big-endian int2, int4 or int8
    for (unsigned char c : v)
      out = static_cast<std::int64_t>(static_cast<std::uint64_t>(out) << 8 | c);
    if (v.size() < 8 && !v.empty() && (static_cast<unsigned char>(v[0]) & 0x80))
      out -= static_cast<std::int64_t>(std::uint64_t{1} << (8 * v.size()));
    return out;
  }
  std::from_chars(v.data(), v.data() + v.size(), out);
  return out;
}

std::string Rows::bytes(int row, int col) const {
  if (raw_) return text(row, col);
  std::size_t n = 0;
  auto* decoded =
      PQunescapeBytea(reinterpret_cast<const unsigned char*>(PQgetvalue(r_.get(), row, col)), &n);
  if (!decoded) return {};
  std::string out(reinterpret_cast<const char*>(decoded), n);
  PQfreemem(decoded);
  return out;
}

std::int64_t Rows::affected() const {
  const char* n = PQcmdTuples(r_.get());
  return n && *n ? std::strtoll(n, nullptr, 10) : 0;
}

Result<std::unique_ptr<Connection>> Connection::open(const std::string& conninfo,
                                                     std::vector<std::string> setup) {
  PGconn* conn = connect(conninfo);
  std::unique_ptr<Connection> c(new Connection(conninfo, std::move(setup), conn));
  if (PQstatus(conn) != CONNECTION_OK) {
    spdlog::error("store: cannot connect to PostgreSQL: {}", PQerrorMessage(conn));
    return error_code(Errc::storage_unavailable);
  }
  if (auto r = c->run_setup(); !r) return r.error();
  return c;
}

Connection::Connection(std::string conninfo, std::vector<std::string> setup, PGconn* conn)
    : conninfo_(std::move(conninfo)), setup_(std::move(setup)), conn_(conn) {
  PQsetNoticeProcessor(conn_, quiet, nullptr);
}

Connection::~Connection() { PQfinish(conn_); }

Result<void> Connection::run_setup() {
  for (const auto& sql : setup_) {
    if (auto r = run(sql, {}, 0); !r) return r.error();
  }
  return {};
}

Result<void> Connection::ensure() {
  if (!broken_ && PQstatus(conn_) == CONNECTION_OK) return {};
  deferred_.clear();
  auto now = std::chrono::steady_clock::now();
  if (now < next_try_) return error_code(Errc::storage_unavailable);
  // A new connection, with the same string: every host of a multi-host
  // string is tried again, so a promoted replica is found; and nothing of
  // the old one's state (a pipeline cut short) is carried over.
  PGconn* fresh = connect(conninfo_);
  PQfinish(conn_);
  conn_ = fresh;
  prepared_.clear();  // prepared statements belong to the old session
  PQsetNoticeProcessor(conn_, quiet, nullptr);
  broken_ = PQstatus(conn_) != CONNECTION_OK;
  if (broken_) {
    last_error_ = PQerrorMessage(conn_);
  } else if (auto setup = run_setup(); !setup) {
    // A session without its setup (synchronous_commit, LISTEN) must not
    // be used: made again at the next call.
    broken_ = true;
  }
  if (broken_) {
    if (retry_delay_.count() == 0) spdlog::warn("store: PostgreSQL unreachable: {}", last_error_);
    retry_delay_ = std::clamp(retry_delay_ * 2, kRetryFirst, kRetryMost);
    next_try_ = now + retry_delay_;
    return error_code(Errc::storage_unavailable);
  }
  retry_delay_ = std::chrono::milliseconds{0};
  ++generation_;
  spdlog::info("store: reconnected to PostgreSQL");
  return {};
}

Result<std::size_t> Connection::wait_for_notifications(int wake_fd,
                                                       std::chrono::milliseconds timeout) {
  // Notifications read along with an earlier query's answer wait in libpq.
  auto take = [this] {
    std::size_t n = 0;
    while (PGnotify* note = PQnotifies(conn_)) {
      PQfreemem(note);
      ++n;
    }
    return n;
  };
  if (auto n = take(); n > 0) return n;
  pollfd fds[2] = {{PQsocket(conn_), POLLIN, 0}, {wake_fd, POLLIN, 0}};
  if (fds[0].fd < 0) return error_code(Errc::storage_unavailable);
  if (::poll(fds, 2, static_cast<int>(timeout.count())) <= 0 || fds[0].revents == 0) {
    return std::size_t{0};
  }
  // Readable: notifications, or the end of the connection (read as such).
  if (PQconsumeInput(conn_) != 1 || PQstatus(conn_) != CONNECTION_OK) {
    last_error_ = PQerrorMessage(conn_);
    broken_ = true;
    return error_code(Errc::storage_unavailable);
  }
  return take();
}

bool Connection::take_notifications() {
  bool any = false;
  (void)PQconsumeInput(conn_);
  while (PGnotify* n = PQnotifies(conn_)) {
    any = true;
    PQfreemem(n);
  }
  return any;
}

bool Connection::in_transaction() const {
  auto s = PQtransactionStatus(conn_);
  return s == PQTRANS_INTRANS || s == PQTRANS_INERROR || s == PQTRANS_ACTIVE;
}

error_code Connection::failure(const PGresult* r) {
  last_error_ = r ? PQresultErrorMessage(r) : PQerrorMessage(conn_);
  if (PQstatus(conn_) != CONNECTION_OK) return Errc::storage_unavailable;
  if (sqlstate_is(r, "23505")) return Errc::conflict;      // unique_violation
  if (sqlstate_is(r, "53100")) return Errc::storage_full;  // disk_full
  // A standby now (a failover without target_session_attrs=read-write, or
  // the old primary back as a replica): another host may be the primary,
  // so the connection is made again before its next use.
  if (sqlstate_is(r, "25006")) broken_ = true;
  // "cached plan must not change result type": a table of a prepared
  // statement changed under it (a newer node migrated the schema). A new
  // session prepares every statement again.
  if (sqlstate_is(r, "0A000")) broken_ = true;
  if (sqlstate_is(r, "53") || sqlstate_is(r, "08") ||   // resources, connection
      sqlstate_is(r, "57P") || sqlstate_is(r, "40") ||  // shutdown, rollback
      sqlstate_is(r, "25006") ||                        // read-only: a standby now
      sqlstate_is(r, "0A000")) {                        // a prepared statement outdated
    return Errc::storage_unavailable;
  }
  spdlog::error("store: PostgreSQL: {}", last_error_);
  return Errc::internal;
}

Result<const std::string*> Connection::prepared(const std::string& sql) {
  if (auto it = prepared_.find(sql); it != prepared_.end()) return &it->second;
  if (prepared_.size() >= kPreparedMost) return static_cast<const std::string*>(nullptr);
  std::string name = "p" + std::to_string(prepared_.size() + 1);
  // Parameter types are left to the server, as PQexecParams left them.
  PGresult* r = PQprepare(conn_, name.c_str(), sql.c_str(), 0, nullptr);
  if (PQresultStatus(r) != PGRES_COMMAND_OK) {
    auto ec = failure(r);
    PQclear(r);
    return ec;
  }
  PQclear(r);
  return &prepared_.emplace(sql, std::move(name)).first->second;
}

Result<Rows> Connection::run(const std::string& sql, const Params& params, int result_format) {
  auto name = prepared(sql);
  if (!name) return name.error();
  auto b = params.bind();
  PGresult* r = *name ? PQexecPrepared(conn_, (*name)->c_str(), b.count(), b.values.data(),
                                       b.lengths.data(), params.formats_.data(), result_format)
                      : PQexecParams(conn_, sql.c_str(), b.count(), nullptr, b.values.data(),
                                     b.lengths.data(), params.formats_.data(), result_format);
  auto status = PQresultStatus(r);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    auto ec = failure(r);
    PQclear(r);
    return ec;
  }
  return Rows(r, result_format == 1);
}

Result<Rows> Connection::query(std::string_view sql, const Params& params) {
  return query_after_deferred(std::string(sql), params, 0);
}

Result<Rows> Connection::query_raw(std::string_view sql, const Params& params) {
  return query_after_deferred(std::string(sql), params, 1);
}

Result<Rows> Connection::query_after_deferred(std::string sql, const Params& params,
                                              int result_format) {
  if (deferred_.empty()) return run(sql, params, result_format);
  std::vector<Statement> one;
  one.push_back({std::move(sql), params});
  auto rows = pipeline(std::move(one), result_format);
  if (!rows) return rows.error();
  return std::move(rows->front());
}

Result<std::vector<Rows>> Connection::query_each(std::vector<Statement> statements) {
  // Nothing to ask: what is deferred waits for the next query or the commit.
  if (statements.empty()) return std::vector<Rows>{};
  return pipeline(std::move(statements), 0);
}

Result<void> Connection::script(const std::string& sql) {
  if (auto r = flush(); !r) return r.error();
  PGresult* r = PQexec(conn_, sql.c_str());
  auto status = PQresultStatus(r);
  error_code ec;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) ec = failure(r);
  PQclear(r);
  if (ec) return ec;
  return {};
}

void Connection::defer(std::string sql, Params params) {
  deferred_.push_back({std::move(sql), std::move(params)});
}

void Connection::defer_row(const RowStatement& statement, Params row) {
  const auto bytes = row.held_bytes();
  if (deferred_.empty() || deferred_.back().rows_of != &statement ||
      deferred_.back().row_bytes + bytes > kRowBatchBytes) {
    deferred_.push_back({statement.sql, {}, &statement, {}, 0});
  }
  auto& s = deferred_.back();
  s.rows.push_back(std::move(row));
  s.row_bytes += bytes;
}

Result<void> Connection::flush() {
  if (deferred_.empty()) return {};
  if (auto r = pipeline({}, 0); !r) return r.error();
  return {};
}

Result<std::vector<Rows>> Connection::pipeline(std::vector<Statement> answered, int format) {
  auto pending = std::move(deferred_);
  deferred_.clear();
  // Statements from `first_answered` on are answered.
  const std::size_t first_answered = pending.size();
  for (auto& a : answered) pending.push_back(std::move(a));
  std::vector<Rows> answers;
  answers.reserve(pending.size() - first_answered);
  // Statements new to this session are prepared before the pipeline (a
  // round trip each, once per session), so that it holds executions only.
  std::vector<const std::string*> names;
  names.reserve(pending.size());
  for (auto& d : pending) {
    if (d.rows_of) d.params = column_arrays(*d.rows_of, d.rows);
    auto name = prepared(d.sql);
    if (!name) return name.error();
    names.push_back(*name);
  }
  if (PQenterPipelineMode(conn_) != 1) return failure(nullptr);
  error_code first;
  for (std::size_t start = 0; start < pending.size() && !first; start += kPipelineChunk) {
    auto end = std::min(pending.size(), start + kPipelineChunk);
    for (auto i = start; i < end; ++i) {
      const auto& d = pending[i];
      auto b = d.params.bind();
      int result_format = i >= first_answered ? format : 0;
      int sent =
          names[i] ? PQsendQueryPrepared(conn_, names[i]->c_str(), b.count(), b.values.data(),
                                         b.lengths.data(), d.params.formats_.data(), result_format)
                   : PQsendQueryParams(conn_, d.sql.c_str(), b.count(), nullptr, b.values.data(),
                                       b.lengths.data(), d.params.formats_.data(), result_format);
      if (sent != 1) {
        first = failure(nullptr);
        break;
      }
    }
    if (PQpipelineSync(conn_) != 1) {
      if (!first) first = failure(nullptr);
      break;
    }
    // Each statement answers its result then a null; the sync ends the chunk.
    for (std::size_t answering = start;;) {
      PGresult* r = PQgetResult(conn_);
      if (!r) {
        if (PQstatus(conn_) != CONNECTION_OK) {
          if (!first) first = failure(nullptr);
          break;
        }
        ++answering;
        continue;
      }
      auto status = PQresultStatus(r);
      if (status == PGRES_PIPELINE_SYNC) {
        PQclear(r);
        break;
      }
      bool ok = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
      if (!ok && !first) first = failure(r);
      if (ok && answering >= first_answered) {
        answers.emplace_back(r, format == 1);
      } else {
        PQclear(r);
      }
    }
  }
  // A pipeline left with answers unread (the connection failed mid-way)
  // cannot be left: the connection is made again before its next use.
  if (PQexitPipelineMode(conn_) != 1) {
    broken_ = true;
    if (!first) first = Errc::storage_unavailable;
  }
  if (first) return first;
  if (answers.size() != pending.size() - first_answered)
    return error_code(Errc::storage_unavailable);
  return answers;
}

}  // namespace postern::store::postgres
