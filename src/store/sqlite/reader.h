// Read queries of the SQLite store, on connections of their own so reads
// never wait for the writer (WAL readers see the last commit).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <vector>

#include "store/sqlite/content_compaction.h"
#include "store/sqlite/content_log.h"
#include "store/sqlite/database.h"
#include "store/sqlite/reader_connection.h"
#include "store/store.h"

namespace postern::store::sqlite {

class Reader {
 public:
  // deep_queue: see SqliteOptions.
  static Result<std::unique_ptr<Reader>> open(const std::string& path, const ContentLog& content,
                                              std::int64_t deep_queue);
  ~Reader();

  Result<MessageDetail> get_message(MessageId id);
  Result<std::vector<MessageSummary>> list_messages(const ListFilter& filter);
  Result<std::pair<ContentFormat, std::string>> get_content(MessageId id);
  Result<std::vector<std::int64_t>> count_by_status();
  Result<std::vector<StoredApiKey>> list_api_keys();
  Result<std::optional<StoredApiKey>> api_key_by_hash(const std::string& secret_hash);
  Result<std::vector<SmtpUser>> list_smtp_users();
  Result<bool> has_api_keys();
  // Every content segment some row refers to.
  Result<std::set<std::uint32_t>> referenced_content_segments();
  // For compaction (content_compaction.h): the live bytes of each segment,
  // of messages and the test inbox's blobs, and the rows in `segments`.
  Result<std::map<std::uint32_t, std::uint64_t>> live_content_by_segment();
  Result<std::vector<LiveRow>> rows_in_segments(const std::set<std::uint32_t>& segments);

 private:
  struct Statements;
  Reader(std::unique_ptr<Database> db, const ContentLog& content, std::unique_ptr<Statements> st,
         std::int64_t deep_queue);
  // The summaries of `s`'s rows; with `accepted`, the last row's accepted
  // event detail, from the source and submitter columns after the summary's.
  Result<std::vector<MessageSummary>> collect(Statement& s, std::string* accepted = nullptr);

  std::unique_ptr<Database> db_;
  const ContentLog& content_;
  std::unique_ptr<Statements> st_;
  std::int64_t deep_queue_;
};

using ReaderPool = ConnectionPool<Reader>;

}  // namespace postern::store::sqlite
