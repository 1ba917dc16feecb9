#include "api/sheet_import.h"

#include <boost/json/array.hpp>
#include <charconv>
#include <map>
#include <optional>
#include <set>

#include "api/csv_sheet.h"
#include "api/event_codec.h"
#include "api/rfc3339.h"
#include "api/xlsx_sheet.h"
#include "domain/civil_time.h"
#include "domain/event_payload.h"
#include "domain/ledger_state.h"
#include "eventstore/ledger_decider.h"
#include "eventstore/ledger_replay.h"

namespace ledger::api {
namespace json = boost::json;
namespace {

// How a cell's text becomes the JSON the codec reads. Text the conversion does not understand
// is passed on as a string, so that the codec (not this file) refuses it.
enum class Cell {
  kText,         // as it is
  kInteger,      // "90" → 90
  kBool,         // 是/否
  kList,         // 唱歌、手工 → ["唱歌","手工"]
  kMemberKind,   // 志愿者/老人/青年志愿者
  kServiceKind,  // 上门探访, 陪伴, ...
  kDate,         // a Beijing date → midnight of it, RFC 3339 with +08:00
  kDateTime,     // a Beijing date and time → RFC 3339 with +08:00
};

// Which event of a service row a column feeds.
enum Target : uint8_t { kFirst = 1, kSecond = 2, kBoth = 3 };

struct Column {
  std::string_view heading;  // as the template shows it; matched by Key()
  std::string_view field;    // the event's data field, or "occurred_at"
  Cell cell;
  bool required;
  std::string_view hint;  // what the cell must hold, in Chinese
  uint8_t target = kFirst;
};

constexpr std::string_view kIdHint = "1–128 个英文字母、数字或 . _ : - 组成的编号";

const std::vector<Column> kMemberColumns = {
    {"成员编号", "member_id", Cell::kText, true, kIdHint},
    {"类型(志愿者/老人/青年志愿者)", "kind", Cell::kMemberKind, true, "志愿者、老人或青年志愿者"},
    {"所属站点", "branch_id", Cell::kText, true, "已开设站点的编号"},
    {"姓名", "name", Cell::kText, true, "姓名"},
    {"性别", "gender", Cell::kText, false, "男或女"},
    {"出生年份", "birth_year", Cell::kInteger, false, "四位数的年份（1900–2100），如 1965"},
    {"电话", "phone", Cell::kText, false, "电话号码"},
    {"独居(是/否)", "lives_alone", Cell::kBool, false, "是或否"},
    {"技能", "skills", Cell::kList, false, "用顿号、逗号或分号分隔的技能"},
    {"登记日期", "occurred_at", Cell::kDate, true, "日期，如 2026-03-01"},
};
const std::vector<Column> kPairingColumns = {
    {"结对编号", "pairing_id", Cell::kText, true, kIdHint},
    {"志愿者编号", "volunteer_id", Cell::kText, true, kIdHint},
    {"老人编号", "elder_id", Cell::kText, true, kIdHint},
    {"结对日期", "occurred_at", Cell::kDate, true, "日期，如 2026-03-01"},
};
const std::vector<Column> kServiceColumns = {
    {"服务编号", "service_id", Cell::kText, true, kIdHint, kBoth},
    {"志愿者编号", "volunteer_id", Cell::kText, true, kIdHint},
    {"老人编号", "elder_id", Cell::kText, false, kIdHint},
    {"服务类型", "kind", Cell::kServiceKind, true,
     "上门探访、陪伴、喘息照护、跑腿代办、活动、手工或其他"},
    {"开始时间", "started_at", Cell::kDateTime, true, "北京时间，如 2026-03-01 09:30"},
    {"时长(分钟)", "minutes", Cell::kInteger, true, "整数分钟（1–720，不含路程）"},
    {"地点", "place", Cell::kText, false, "文字"},
    {"服务内容", "content", Cell::kText, false, "文字"},
    {"确认人", "confirmed_by", Cell::kText, true, "确认服务的人（老人、监护人或活动负责人）",
     kSecond},
    {"评分(1-5)", "rating", Cell::kInteger, false, "1 到 5 的整数", kSecond},
};

const std::vector<Column>& ColumnsOf(SheetKind kind) {
  switch (kind) {
    case SheetKind::kMembers:
      return kMemberColumns;
    case SheetKind::kPairings:
      return kPairingColumns;
    case SheetKind::kServices:
      break;
  }
  return kServiceColumns;
}

std::string_view Trim(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n";
  constexpr std::string_view kIdeographicSpace = "\xE3\x80\x80";  // U+3000, 全角空格
  for (bool trimmed = true; trimmed;) {
    trimmed = false;
    while (!text.empty() && kSpace.find(text.front()) != std::string_view::npos) {
      text.remove_prefix(1);
      trimmed = true;
    }
    while (!text.empty() && kSpace.find(text.back()) != std::string_view::npos) {
      text.remove_suffix(1);
      trimmed = true;
    }
    if (text.starts_with(kIdeographicSpace)) {
      text.remove_prefix(kIdeographicSpace.size());
      trimmed = true;
    }
    if (text.ends_with(kIdeographicSpace)) {
      text.remove_suffix(kIdeographicSpace.size());
      trimmed = true;
    }
  }
  return text;
}

// A heading's key: up to its first parenthesis (half or full width), without a trailing "*"
// (a mark of required columns some people add): "时长（分钟）" and "时长(分钟)" are both 时长.
std::string Key(std::string_view heading) {
  heading = Trim(heading);
  const size_t half = heading.find('(');
  const size_t full = heading.find("\xEF\xBC\x88");  // （
  heading = heading.substr(0, std::min(half, full));
  heading = Trim(heading);
  while (heading.ends_with('*')) heading.remove_suffix(1);
  return std::string(Trim(heading));
}

std::optional<int64_t> ParseInteger(std::string_view text) {
  int64_t value = 0;
  if (text.starts_with('+')) text.remove_prefix(1);
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) {
    return std::nullopt;
  }
  return value;
}

// Unsigned decimal digits at `at` (advancing it): at least 1, at most `max_digits`.
std::optional<int64_t> Digits(std::string_view text, size_t& at, size_t max_digits) {
  const size_t start = at;
  int64_t value = 0;
  while (at < text.size() && at - start < max_digits && text[at] >= '0' && text[at] <= '9') {
    value = value * 10 + (text[at] - '0');
    ++at;
  }
  if (at == start) return std::nullopt;
  return value;
}

constexpr int64_t kMinutesPerDay = 24 * 60;
constexpr int64_t kBeijingOffsetMinutes = 8 * 60;
constexpr int64_t kExcelEpochDays = -25569;  // 1899-12-30, day 0 of Excel's serials since 1900-03

// An Excel date serial ("46082" or "46082.395833333336"), read with integer arithmetic: minutes
// since 1970-01-01 of Beijing civil time, rounded to the minute.
std::optional<int64_t> SerialCivilMinutes(std::string_view text) {
  size_t at = 0;
  std::optional<int64_t> days = Digits(text, at, 6);
  if (!days || *days < 61) return std::nullopt;  // Excel's serials before 1900-03-01 are off
  int64_t fraction_minutes = 0;
  if (at < text.size() && text[at] == '.') {
    ++at;
    const size_t start = at;
    std::optional<int64_t> digits = Digits(text, at, 15);
    if (!digits) return std::nullopt;
    int64_t scale = 1;
    for (size_t i = start; i < at; ++i) scale *= 10;
    while (at < text.size() && text[at] >= '0' && text[at] <= '9') ++at;  // past 15 digits
    fraction_minutes = (*digits * kMinutesPerDay + scale / 2) / scale;
  }
  if (at != text.size()) return std::nullopt;
  return (*days + kExcelEpochDays) * kMinutesPerDay + fraction_minutes;
}

// "2026-03-01", "2026/3/1", "2026年3月1日", optionally followed by " 09:30" or "T09:30:00", or
// an Excel serial: minutes since 1970-01-01 of Beijing civil time. `with_time` allows a time.
std::optional<int64_t> CivilMinutes(std::string_view text, bool with_time) {
  if (!text.empty() && text.find_first_not_of("0123456789.") == std::string_view::npos) {
    std::optional<int64_t> serial = SerialCivilMinutes(text);
    if (serial && !with_time && *serial % kMinutesPerDay != 0) return std::nullopt;
    return serial;
  }
  size_t at = 0;
  auto separator = [&](std::initializer_list<std::string_view> options) {
    for (std::string_view option : options) {
      if (text.substr(at).starts_with(option)) {
        at += option.size();
        return true;
      }
    }
    return false;
  };
  std::optional<int64_t> year = Digits(text, at, 4);
  if (!year || !separator({"-", "/", "年"})) return std::nullopt;
  std::optional<int64_t> month = Digits(text, at, 2);
  if (!month || !separator({"-", "/", "月"})) return std::nullopt;
  std::optional<int64_t> day = Digits(text, at, 2);
  if (!day) return std::nullopt;
  separator({"日"});
  if (*year < 1900 || *month < 1 || *month > 12 || *day < 1 || *day > 31) return std::nullopt;
  const int64_t days =
      DaysFromCivil(*year, static_cast<unsigned>(*month), static_cast<unsigned>(*day));
  const CivilDate check = CivilFromDays(days);
  if (check.month != *month || check.day != *day) return std::nullopt;  // 2月30日
  int64_t minutes = 0;
  if (at < text.size()) {
    if (!with_time || !separator({"T", " "})) return std::nullopt;
    while (at < text.size() && text[at] == ' ') ++at;
    std::optional<int64_t> hour = Digits(text, at, 2);
    if (!hour || !separator({":", "："})) return std::nullopt;
    std::optional<int64_t> minute = Digits(text, at, 2);
    if (!minute || *hour > 23 || *minute > 59) return std::nullopt;
    if (separator({":"})) {
      std::optional<int64_t> second = Digits(text, at, 2);
      if (!second || *second != 0) return std::nullopt;  // the ledger counts whole minutes
    }
    if (at != text.size()) return std::nullopt;
    minutes = *hour * 60 + *minute;
  }
  return days * kMinutesPerDay + minutes;
}

std::string InstantOfCivilMinutes(int64_t civil_minutes) {
  return FormatInstant((civil_minutes - kBeijingOffsetMinutes) * 60 * 1'000'000);
}

std::optional<std::string_view> Lookup(
    std::string_view text,
    std::initializer_list<std::pair<std::string_view, std::string_view>> map) {
  for (const auto& [chinese, code] : map) {
    if (text == chinese || text == code) return code;
  }
  return std::nullopt;
}

// The JSON of one cell (`text` trimmed and not empty).
json::value CellJson(const Column& column, std::string_view text) {
  switch (column.cell) {
    case Cell::kText:
      break;
    case Cell::kInteger:
      if (std::optional<int64_t> value = ParseInteger(text)) return *value;
      break;
    case Cell::kBool:
      if (Lookup(text, {{"是", "true"}, {"Y", "true"}, {"1", "true"}})) return true;
      if (Lookup(text, {{"否", "false"}, {"N", "false"}, {"0", "false"}})) return false;
      break;
    case Cell::kList: {
      json::array items;
      std::string item;
      auto flush = [&] {
        std::string_view trimmed = Trim(item);
        if (!trimmed.empty()) items.emplace_back(trimmed);
        item.clear();
      };
      for (size_t i = 0; i < text.size(); ++i) {
        bool split = false;
        for (std::string_view mark : {"、", "，", "；", ",", ";"}) {
          if (text.substr(i).starts_with(mark)) {
            i += mark.size() - 1;
            split = true;
            break;
          }
        }
        if (split) {
          flush();
        } else {
          item.push_back(text[i]);
        }
      }
      flush();
      return items;
    }
    case Cell::kMemberKind:
      if (auto code = Lookup(
              text,
              {{"志愿者", "volunteer"}, {"老人", "elder"}, {"青年志愿者", "youth_volunteer"}})) {
        return json::string(*code);
      }
      break;
    case Cell::kServiceKind:
      if (auto code = Lookup(text, {{"上门探访", "home_visit"},
                                    {"陪伴", "companionship"},
                                    {"喘息照护", "respite_care"},
                                    {"跑腿代办", "errand"},
                                    {"活动", "activity"},
                                    {"手工", "handicraft"},
                                    {"其他", "other"}})) {
        return json::string(*code);
      }
      break;
    case Cell::kDate:
    case Cell::kDateTime:
      if (std::optional<int64_t> minutes = CivilMinutes(text, column.cell == Cell::kDateTime)) {
        return json::string(InstantOfCivilMinutes(*minutes));
      }
      break;
  }
  return json::string(text);
}

struct KindInfo {
  SheetKind kind;
  std::string_view key;  // the heading that tells the kind
  std::string_view prefix;
};
constexpr KindInfo kKinds[] = {{SheetKind::kMembers, "成员编号", "sheet.member."},
                               {SheetKind::kPairings, "结对编号", "sheet.pairing."},
                               {SheetKind::kServices, "服务编号", "sheet.service."}};

// A table's columns: spec index → index in the row; SIZE_MAX when the sheet lacks it.
struct Layout {
  SheetKind kind;
  std::vector<size_t> at;
  std::vector<std::string> headings;  // the sheet's own heading text per spec column
};

std::optional<Layout> ReadLayout(const SheetTable& table, SheetImport& import) {
  const std::vector<std::string>& heading = table.rows.front();
  std::optional<SheetKind> kind;
  for (const std::string& cell : heading) {
    for (const KindInfo& info : kKinds) {
      if (Key(cell) == info.key && !kind) kind = info.kind;
    }
  }
  if (!kind) {
    import.AddProblem({table.name, 1, "",
                       "无法识别这张表：标题行须有 成员编号、结对编号 或 服务编号 一列",
                       "unknown_sheet"});
    return std::nullopt;
  }
  const std::vector<Column>& columns = ColumnsOf(*kind);
  Layout layout{*kind, std::vector<size_t>(columns.size(), SIZE_MAX),
                std::vector<std::string>(columns.size())};
  bool ok = true;
  for (size_t i = 0; i < heading.size(); ++i) {
    const std::string key = Key(heading[i]);
    if (key.empty()) continue;
    size_t found = SIZE_MAX;
    for (size_t c = 0; c < columns.size(); ++c) {
      if (Key(columns[c].heading) == key) found = c;
    }
    if (found == SIZE_MAX || layout.at[found] != SIZE_MAX) {
      import.AddProblem({table.name, 1, heading[i],
                         found == SIZE_MAX ? "模板里没有这一列（请核对列名）" : "这一列出现了两次",
                         "invalid_heading"});
      ok = false;
      continue;
    }
    layout.at[found] = i;
    layout.headings[found] = heading[i];
  }
  for (size_t c = 0; c < columns.size(); ++c) {
    if (columns[c].required && layout.at[c] == SIZE_MAX) {
      import.AddProblem(
          {table.name, 1, std::string(columns[c].heading), "缺少这一必填列", "invalid_heading"});
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  return layout;
}

// The cell of spec column `c` in `row`, trimmed ("" when absent).
std::string_view CellOf(const Layout& layout, const std::vector<std::string>& row, size_t c) {
  const size_t at = layout.at[c];
  return at < row.size() ? Trim(row[at]) : std::string_view();
}

// The spec column a problem's JSON pointer names: "/data/minutes" → minutes, "/occurred_at"
// → the column giving the event's time, "/id" → the row's key (its first column).
size_t ColumnOfPointer(SheetKind kind, std::string_view pointer) {
  const std::vector<Column>& columns = ColumnsOf(kind);
  std::string_view field;
  if (pointer.starts_with("/data/")) {
    field = pointer.substr(6);
    field = field.substr(0, field.find('/'));
  } else if (pointer == "/occurred_at") {
    field = kind == SheetKind::kServices ? "started_at" : "occurred_at";
  }
  for (size_t c = 0; c < columns.size(); ++c) {
    if (columns[c].field == field) return c;
  }
  return 0;
}

struct RowEvent {
  std::string_view type;
  std::string id_suffix;
  uint8_t target;
};

void BuildRow(const SheetTable& table, const Layout& layout, size_t row_index,
              std::map<std::string, std::string>& seen_ids, PersonalSealer* sealer,
              SheetImport& import) {
  const std::vector<std::string>& row = table.rows[row_index];
  const std::vector<Column>& columns = ColumnsOf(layout.kind);
  const size_t row_number = row_index + 1;
  std::string_view prefix;
  for (const KindInfo& info : kKinds) {
    if (info.kind == layout.kind) prefix = info.prefix;
  }
  const std::string key(CellOf(layout, row, 0));
  std::vector<RowEvent> events;
  switch (layout.kind) {
    case SheetKind::kMembers:
      events = {{"MemberRegistered", "", kFirst}};
      ++import.members;
      break;
    case SheetKind::kPairings:
      events = {{"PairingFormed", "", kFirst}};
      ++import.pairings;
      break;
    case SheetKind::kServices:
      events = {{"ServiceLogged", ".logged", kFirst}, {"ServiceVerified", ".verified", kSecond}};
      ++import.services;
      break;
  }
  auto problem = [&](size_t c, std::string reason, std::string code) {
    const std::string column =
        layout.headings[c].empty() ? std::string(columns[c].heading) : layout.headings[c];
    import.AddProblem({table.name, row_number, column, std::move(reason), std::move(code)});
  };
  std::optional<int64_t> started_civil_minutes;
  for (const RowEvent& event : events) {
    json::object data;
    json::value occurred_at;
    for (size_t c = 0; c < columns.size(); ++c) {
      const std::string_view text = CellOf(layout, row, c);
      if ((columns[c].target & event.target) == 0 || text.empty()) continue;
      json::value value = CellJson(columns[c], text);
      if (columns[c].field == "occurred_at") {
        occurred_at = std::move(value);
        continue;
      }
      if (columns[c].field == "started_at") {
        occurred_at = value;
        started_civil_minutes = CivilMinutes(text, true);
      }
      data[columns[c].field] = std::move(value);
    }
    if (event.type == "ServiceVerified") {
      // Verified when the visit ended: the row has no time of its own for it.
      const std::optional<int64_t> minutes =
          ParseInteger(CellOf(layout, row, ColumnOfPointer(layout.kind, "/data/minutes")));
      if (!started_civil_minutes || !minutes) return;  // ServiceLogged was refused for it
      occurred_at = json::string(InstantOfCivilMinutes(*started_civil_minutes + *minutes));
    }
    json::object event_json{{"id", std::string(prefix) + key + event.id_suffix},
                            {"type", event.type},
                            {"data", std::move(data)}};
    if (!occurred_at.is_null()) event_json["occurred_at"] = std::move(occurred_at);
    const std::string id = event_json["id"].as_string().c_str();
    Checked<EventDraft> draft = DecodeEvent(event_json, "", sealer);
    if (!draft.ok()) {
      const size_t c = ColumnOfPointer(layout.kind, draft.problem().field);
      const bool empty = CellOf(layout, row, c).empty();
      problem(c, empty ? "必填，不能为空" : "格式不对：应为" + std::string(columns[c].hint),
              draft.problem().code);
      return;
    }
    const std::string where = table.name + " 第 " + std::to_string(row_number) + " 行";
    if (auto [it, inserted] = seen_ids.emplace(id, where); !inserted) {
      problem(0, "编号与" + it->second + "重复", "duplicate_row");
      return;
    }
    import.drafts.push_back(std::move(*draft));
    import.origins.push_back({table.name, row_number, layout.kind});
  }
}

// The column and Chinese reason of a refusal with `code` for a row of `kind`.
std::pair<std::string_view, std::string> Refusal(SheetKind kind, std::string_view code) {
  struct Entry {
    std::string_view code;
    std::string_view field;
    std::string_view reason;
  };
  static constexpr Entry kEntries[] = {
      {"already_exists", "", "编号已存在于账本中"},
      {"id_conflict", "", "这一行以前导入过，但内容与现在不同"},
      {"unknown_branch", "branch_id", "站点不存在（请先开设站点）"},
      {"unknown_member", "", "成员编号不存在（账本里和本次导入的成员中都没有）"},
      {"unknown_service", "service_id", "服务记录不存在"},
      {"member_inactive", "volunteer_id", "志愿者或老人已停用"},
      {"not_a_volunteer", "volunteer_id", "这个编号不是志愿者"},
      {"not_an_elder", "elder_id", "这个编号不是老人"},
      {"different_branch", "elder_id", "志愿者与老人不属于同一站点"},
      {"same_member", "elder_id", "志愿者与老人不能是同一人"},
      {"duplicate_pairing", "elder_id", "这位志愿者与这位老人已经结对"},
      {"invalid_minutes", "minutes", "时长须为 1–720 分钟（不含路程）"},
      {"month_sealed", "", "该月已封账，不能再补录"},
      {"already_verified", "service_id", "这次服务已经确认过"},
      {"invalid_confirmation", "confirmed_by",
       "确认人不能是提供服务的志愿者；填成员编号时，须是这位老人或其登记的亲属"},
      {"forbidden", "", "不在您管理的站点范围内"},
  };
  for (const Entry& entry : kEntries) {
    if (entry.code != code) continue;
    std::string_view field = entry.field;
    if (field.empty() && code == "month_sealed") {
      field = kind == SheetKind::kServices ? "started_at" : "occurred_at";
    }
    if (field.empty() && code == "forbidden") {
      field = kind == SheetKind::kMembers ? "branch_id" : "volunteer_id";
    }
    return {field, std::string(entry.reason)};
  }
  return {"", "被账本规则拒绝（" + std::string(code) + "）"};
}

SheetProblem RowProblem(const SheetImport::Origin& origin, std::string_view field,
                        std::string reason, std::string code) {
  std::string column;
  for (const Column& c : ColumnsOf(origin.kind)) {
    if (c.field == field) column = std::string(c.heading);
  }
  if (field.empty() && (code == "already_exists" || code == "id_conflict")) {
    column = std::string(ColumnsOf(origin.kind).front().heading);
  }
  return {origin.sheet, origin.row, std::move(column), std::move(reason), std::move(code)};
}

// The code of a refusal: the outcome's, "forbidden" for a scope refusal, "id_conflict".
std::string CodeOf(const Status& status) {
  if (status.code() == StatusCode::kForbidden) return "forbidden";
  if (status.code() == StatusCode::kIdConflict) return "id_conflict";
  return status.reason().empty() ? "invalid_field" : status.reason();
}

}  // namespace

void SheetImport::AddProblem(SheetProblem problem) {
  ++problems_total;
  if (problems.size() < kSheetProblemsMax) problems.push_back(std::move(problem));
}

Result<std::vector<SheetTable>> ReadSheetFile(std::string_view bytes, const std::string& name) {
  if (bytes.starts_with(std::string_view("PK\x03\x04", 4))) return ReadXlsxSheets(bytes);
  Result<SheetTable> table = ReadCsvSheet(bytes, name);
  if (!table.ok()) return table.status();
  std::vector<SheetTable> tables;
  tables.push_back(std::move(table).value());
  return tables;
}

SheetImport BuildSheetImport(const std::vector<SheetTable>& tables, PersonalSealer* sealer) {
  SheetImport import;
  std::vector<std::pair<const SheetTable*, Layout>> layouts;
  for (const SheetTable& table : tables) {
    if (Key(table.name) == "说明") continue;
    size_t first = 0;
    while (first < table.rows.size() && table.rows[first].empty()) ++first;
    if (first == table.rows.size()) continue;  // an empty sheet
    if (first != 0) {
      import.AddProblem({table.name, 1, "", "第 1 行须是标题行", "invalid_heading"});
      continue;
    }
    if (std::optional<Layout> layout = ReadLayout(table, import)) {
      layouts.emplace_back(&table, std::move(*layout));
    }
  }
  // Members first, then pairings, then services: each may name what an earlier kind registers.
  std::map<std::string, std::string> seen_ids;
  for (const KindInfo& info : kKinds) {
    for (const auto& [table, layout] : layouts) {
      if (layout.kind != info.kind) continue;
      for (size_t r = 1; r < table->rows.size(); ++r) {
        bool blank = true;
        for (const std::string& cell : table->rows[r]) blank = blank && Trim(cell).empty();
        if (!blank) BuildRow(*table, layout, r, seen_ids, sealer, import);
      }
    }
  }
  if (import.drafts.size() > kSheetImportEventsMax) {
    import.AddProblem({"", 0, "",
                       "一次最多导入 " + std::to_string(kSheetImportEventsMax) +
                           " 个事件（每条服务记两个），请把表格分成几份依次导入",
                       "too_many_rows"});
  }
  if (import.members + import.pairings + import.services == 0 && import.ok()) {
    import.AddProblem({"", 0, "", "表格里没有可导入的数据行", "empty_sheet"});
  }
  return import;
}

Status CheckSheetImport(const EventStore& store, const WriteScope& scope, SheetImport& import) {
  LedgerState state;
  Result<Position> replayed = ReplayInto(store, Position{0}, state);
  if (!replayed.ok()) return replayed.status();
  std::vector<EventDraft> kept;
  std::vector<SheetImport::Origin> kept_origins;
  std::set<std::pair<std::string, size_t>> refused_rows;  // a service row's second event waits
  for (size_t i = 0; i < import.drafts.size(); ++i) {
    EventDraft& draft = import.drafts[i];
    const SheetImport::Origin& origin = import.origins[i];
    if (refused_rows.contains({origin.sheet, origin.row})) continue;
    auto refuse = [&](const Status& status) {
      const std::string code = CodeOf(status);
      auto [field, reason] = Refusal(origin.kind, code);
      if (code == "unknown_member" || code == "member_inactive") {
        // Which of the row's members: the first the ledger lacks, or that is inactive.
        field = "elder_id";
        const events::EventData* data = VerifyEventData(draft.payload);
        const flatbuffers::String* volunteer = data == nullptr ? nullptr
                                               : data->data_as_PairingFormed() != nullptr
                                                   ? data->data_as_PairingFormed()->volunteer_id()
                                               : data->data_as_ServiceLogged() != nullptr
                                                   ? data->data_as_ServiceLogged()->volunteer_id()
                                                   : nullptr;
        if (volunteer != nullptr) {
          const Member* member = state.FindMember(MemberRef(volunteer->string_view()));
          if (member == nullptr || !member->active) field = "volunteer_id";
        }
      }
      import.AddProblem(RowProblem(origin, field, std::move(reason), code));
      refused_rows.insert({origin.sheet, origin.row});
    };
    Result<Position> found = store.FindId(draft.id);
    if (found.ok()) {
      Result<StoredEvent> stored = store.ReadAt(*found);
      if (!stored.ok()) return stored.status();
      if (stored->type == draft.type && stored->occurred_at_us == draft.occurred_at_us &&
          stored->payload == draft.payload) {
        ++import.already_imported;
      } else {
        refuse(Status(StatusCode::kIdConflict, draft.id));
      }
      continue;
    }
    if (found.status().code() != StatusCode::kNotFound) return found.status();
    EventDraft probe = draft;
    probe.scope = scope;
    state.Begin();
    if (Status status = DecideEvent(state, probe); !status.ok()) {
      state.Rollback();
      refuse(status);
      continue;
    }
    state.Commit();
    draft.scope = scope;
    kept.push_back(std::move(draft));
    kept_origins.push_back(origin);
  }
  if (!import.ok()) {
    // Nothing of a bad sheet is appended: keep no drafts, so no caller can append them.
    kept.clear();
    kept_origins.clear();
  }
  import.drafts = std::move(kept);
  import.origins = std::move(kept_origins);
  return Status::Ok();
}

SheetProblem ProblemForRefusal(const SheetImport& import, const Status& status) {
  const std::string code = CodeOf(status);
  for (size_t i = 0; i < import.drafts.size(); ++i) {
    if (status.message().find("'" + import.drafts[i].id + "'") == std::string::npos) continue;
    auto [field, reason] = Refusal(import.origins[i].kind, code);
    return RowProblem(import.origins[i], field, std::move(reason), code);
  }
  return {"", 0, "", "账本拒绝了这次导入：" + status.ToString(), code};
}

json::object SheetReportJson(const SheetImport& import) {
  json::array problems;
  for (const SheetProblem& problem : import.problems) {
    problems.push_back(json::object{{"sheet", problem.sheet},
                                    {"row", problem.row},
                                    {"column", problem.column},
                                    {"reason", problem.reason},
                                    {"code", problem.code}});
  }
  return json::object{{"members", import.members},
                      {"pairings", import.pairings},
                      {"services", import.services},
                      {"events", import.drafts.size()},
                      {"already_imported", import.already_imported},
                      {"problems_total", import.problems_total},
                      {"problems", std::move(problems)}};
}

}  // namespace ledger::api
