#include "store/postgres/message_search.h"

namespace postern::store::postgres {

std::string search_sql(const ListFilter& f, std::string_view columns) {
  int next_param = 4;
  auto param = [&] { return "$" + std::to_string(next_param++); };
  std::string from = "messages m";
  std::string where = "m.id >= $1 AND m.id < $2";
  // The status as a literal, so the planner picks the partial index that
  // holds it (messages_queued, or messages_by_status for the others).
  if (f.status) where += " AND m.status = " + std::to_string(static_cast<int>(*f.status));
  if (f.provider) where += " AND m.provider = " + param() + " AND m.provider <> ''";
  // A recipient's term leads, else a tag's: rows of one term's range, in
  // id order, joined to their messages (each a primary-key lookup).
  bool led = false;
  auto term = [&](const std::string& value) {
    if (!led) {
      led = true;
      from = "message_terms t JOIN messages m ON m.id = t.message_id";
      where += " AND t.term = " + value + " AND t.message_id >= $1 AND t.message_id < $2";
      return;
    }
    where += " AND EXISTS (SELECT 1 FROM message_terms u WHERE u.term = " + value +
             " AND u.message_id = m.id)";
  };
  if (f.recipient) term("postern_recipient_term(" + param() + "::text)");
  if (f.tag) term("'t:' || " + param() + "::text");
  return "SELECT " + std::string(columns) + " FROM " + from + " WHERE " + where +
         " ORDER BY m.id DESC LIMIT $3";
}

}  // namespace postern::store::postgres
