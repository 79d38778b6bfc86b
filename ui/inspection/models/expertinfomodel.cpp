#include "expertinfomodel.h"

#include "icons.h"

#include <QLocale>
#include <QRegularExpression>

#include <algorithm>
#include <map>

namespace hyperscope {

namespace {

using Kind = MessageLogModel::Kind;
using Severity = MessageLogModel::Severity;

/// Top-level rows have internal id 0; an occurrence's internal id is its group's index + 1.
constexpr quintptr GroupId = 0;

QString groupKey(Severity severity, const QString &kind)
{
    return QString::number(int(severity)) + QLatin1Char('|') + kind;
}

/// A warning's wording, matched to a kind. The texts are the engine's (core/protocol/engine.cpp),
/// the relay's (relayforwarder.cpp) and the inspector's own; a new wording falls back to
/// genericKind(), which still groups its repeats.
struct WarningPattern
{
    QRegularExpression pattern;
    const char *kind;
};

const std::vector<WarningPattern> &warningPatterns()
{
    static const std::vector<WarningPattern> patterns = [] {
        const std::pair<const char *, const char *> table[] = {
            {"which the remote never opened",
             QT_TRANSLATE_NOOP("hyperscope::ExpertInfoModel", "unknown channel id")},
            {"which we have not opened",
             QT_TRANSLATE_NOOP("hyperscope::ExpertInfoModel", "channel we have not opened")},
            {"frame of unassigned type",
             QT_TRANSLATE_NOOP("hyperscope::ExpertInfoModel", "unassigned frame type")},
            {"reused channel id",
             QT_TRANSLATE_NOOP("hyperscope::ExpertInfoModel", "channel id reused")},
            {"opened channel [0-9a-f]+ twice",
             QT_TRANSLATE_NOOP("hyperscope::ExpertInfoModel", "channel opened twice")},
            {"extension names are not unique",
             QT_TRANSLATE_NOOP("hyperscope::ExpertInfoModel", "extension names not sorted")},
            {"was never announced",
             QT_TRANSLATE_NOOP("hyperscope::ExpertInfoModel", "unannounced extension")},
            {"whose feed key the relay does not know",
             QT_TRANSLATE_NOOP("hyperscope::ExpertInfoModel", "relay: unknown feed key")},
            {"^cannot open channel",
             QT_TRANSLATE_NOOP("hyperscope::ExpertInfoModel", "relay: cannot open channel")},
            {"not forwarded",
             QT_TRANSLATE_NOOP("hyperscope::ExpertInfoModel", "relay: not forwarded")},
            {"^Inspector:", QT_TRANSLATE_NOOP("hyperscope::ExpertInfoModel", "inspector")},
        };
        std::vector<WarningPattern> result;
        for (const auto &[pattern, kind] : table)
            result.push_back({QRegularExpression(QLatin1String(pattern),
                                                 QRegularExpression::CaseInsensitiveOption),
                              kind});
        return result;
    }();
    return patterns;
}

/// A text with what varies between repeats (keys, ids, offsets) taken out: "Want for channel id
/// 7, which ..." and "... id 9, ..." become one kind.
QString genericKind(const QString &text)
{
    static const QRegularExpression hex(QStringLiteral("\\b[0-9a-fA-F]{8,}\\b"));
    static const QRegularExpression number(QStringLiteral("\\b\\d+\\b"));
    QString kind = text;
    kind.replace(hex, QStringLiteral("…"));
    kind.replace(number, QStringLiteral("N"));
    kind = kind.simplified();
    constexpr int MaxKindLength = 80; // a group heading, not the whole message
    if (kind.size() > MaxKindLength)
        kind = kind.left(MaxKindLength - 1) + QStringLiteral("…");
    return kind.isEmpty() ? ExpertInfoModel::tr("(no text)") : kind;
}

} // namespace

ExpertInfoModel::ExpertInfoModel(const MessageLogModel *log, QObject *parent)
    : QAbstractItemModel(parent)
    , m_log(log)
{
    connect(log, &MessageLogModel::rowsFlushed, this, &ExpertInfoModel::addRows);
    connect(log, &MessageLogModel::modelReset, this, &ExpertInfoModel::reset);
    // The log only grows or is cleared today; should it ever remove or move rows, the row
    // numbers kept here would be stale: start over rather than point at the wrong rows.
    connect(log, &MessageLogModel::rowsRemoved, this, &ExpertInfoModel::reset);
    connect(log, &MessageLogModel::rowsMoved, this, &ExpertInfoModel::reset);
    connect(log, &MessageLogModel::layoutChanged, this, &ExpertInfoModel::reset);
    // The Session column of the occurrences shows labels, which can change after the fact.
    connect(log, &MessageLogModel::sessionLabelChanged, this, [this] {
        for (std::size_t g = 0; g < m_groups.size(); ++g) {
            const int rows = int(m_groups[g].rows.size());
            const QModelIndex parent = index(int(g), 0);
            emit dataChanged(index(0, SessionColumn, parent),
                             index(rows - 1, SessionColumn, parent), {Qt::DisplayRole});
        }
    });
    if (log->rowCount() > 0)
        addRows(0, log->rowCount() - 1);
}

bool ExpertInfoModel::isProblem(MessageLogModel::Severity severity)
{
    return severity == Severity::Warning || severity == Severity::Error;
}

QString ExpertInfoModel::problemKind(const MessageLogModel &log,
                                     const MessageLogModel::Record &record)
{
    switch (record.kind) {
    case Kind::Error: {
        // InspectedSession::errorText(): "capability-mismatch: ..." or just the code's name.
        static const QRegularExpression code(
            QStringLiteral("^([a-z][a-z0-9]*(?:-[a-z0-9]+)*)(?::|$)"));
        const QString note = log.noteText(record);
        const QRegularExpressionMatch match = code.match(note);
        return match.hasMatch() ? match.captured(1) : genericKind(note);
    }
    case Kind::Warning: {
        const QString note = log.noteText(record);
        for (const WarningPattern &p : warningPatterns()) {
            if (p.pattern.match(note).hasMatch())
                return tr(p.kind);
        }
        return genericKind(note);
    }
    case Kind::Handshake:
        return tr("handshake message failed");
    case Kind::Frame:
        if (record.flags & MessageLogModel::Malformed)
            return tr("malformed message");
        if (record.type > 10 && record.type < 15)
            return tr("unassigned frame type");
        break;
    case Kind::KeepAlive:
    case Kind::Event:
        break;
    }
    return genericKind(log.summaryText(record));
}

// --- Following the log ---------------------------------------------------------------------------

void ExpertInfoModel::addRows(int first, int last)
{
    // Classify the batch first, then insert per group: one beginInsertRows() for each group the
    // batch touches, and one for the groups it creates.
    std::map<int, std::vector<int>> added; // group index -> new rows, ascending
    const int oldGroupCount = int(m_groups.size());
    const int oldWarnings = m_warnings;
    const int oldErrors = m_errors;
    std::vector<Group> newGroups;
    for (int row = first; row <= last; ++row) {
        const MessageLogModel::Record &record = m_log->record(row);
        const Severity severity = m_log->severity(record);
        if (!isProblem(severity))
            continue;
        const QString kind = problemKind(*m_log, record);
        const QString key = groupKey(severity, kind);
        auto it = m_groupByKey.constFind(key);
        if (it == m_groupByKey.constEnd()) {
            it = m_groupByKey.insert(key, oldGroupCount + int(newGroups.size()));
            newGroups.push_back({severity, kind, {}});
        }
        if (*it >= oldGroupCount)
            newGroups[std::size_t(*it - oldGroupCount)].rows.push_back(row);
        else
            added[*it].push_back(row);
        m_problemRows.push_back(row);
        if (severity == Severity::Error)
            ++m_errors;
        else
            ++m_warnings;
    }
    for (auto &[group, rows] : added) {
        std::vector<int> &target = m_groups[std::size_t(group)].rows;
        const int firstNew = int(target.size());
        beginInsertRows(index(group, 0), firstNew, firstNew + int(rows.size()) - 1);
        target.insert(target.end(), rows.begin(), rows.end());
        endInsertRows();
    }
    if (!newGroups.empty()) {
        beginInsertRows({}, oldGroupCount, oldGroupCount + int(newGroups.size()) - 1);
        for (Group &group : newGroups)
            m_groups.push_back(std::move(group));
        endInsertRows();
    }
    if (m_warnings != oldWarnings || m_errors != oldErrors)
        emit countsChanged();
}

void ExpertInfoModel::reset()
{
    const bool hadProblems = m_warnings || m_errors;
    beginResetModel();
    m_groups.clear();
    m_groupByKey.clear();
    m_problemRows.clear();
    m_warnings = 0;
    m_errors = 0;
    endResetModel();
    // Rows removed or moved: classify what is left (addRows() announces counts above zero).
    if (m_log->rowCount() > 0)
        addRows(0, m_log->rowCount() - 1);
    if (hadProblems && m_warnings == 0 && m_errors == 0)
        emit countsChanged();
}

int ExpertInfoModel::nextProblemRow(int row) const
{
    const auto it = std::upper_bound(m_problemRows.begin(), m_problemRows.end(), row);
    return it == m_problemRows.end() ? -1 : *it;
}

int ExpertInfoModel::previousProblemRow(int row) const
{
    if (row < 0)
        return m_problemRows.empty() ? -1 : m_problemRows.back();
    const auto it = std::lower_bound(m_problemRows.begin(), m_problemRows.end(), row);
    return it == m_problemRows.begin() ? -1 : *std::prev(it);
}

QModelIndex ExpertInfoModel::groupIndex(MessageLogModel::Severity severity,
                                        const QString &kind) const
{
    const auto it = m_groupByKey.constFind(groupKey(severity, kind));
    return it == m_groupByKey.constEnd() ? QModelIndex() : index(*it, 0);
}

// --- QAbstractItemModel --------------------------------------------------------------------------

QModelIndex ExpertInfoModel::index(int row, int column, const QModelIndex &parent) const
{
    if (row < 0 || column < 0 || column >= ColumnCount)
        return {};
    if (!parent.isValid())
        return row < int(m_groups.size()) ? createIndex(row, column, GroupId) : QModelIndex();
    if (parent.internalId() != GroupId || parent.row() >= int(m_groups.size()))
        return {};
    if (row >= int(m_groups[std::size_t(parent.row())].rows.size()))
        return {};
    return createIndex(row, column, quintptr(parent.row()) + 1);
}

QModelIndex ExpertInfoModel::parent(const QModelIndex &child) const
{
    if (!child.isValid() || child.internalId() == GroupId)
        return {};
    return createIndex(int(child.internalId() - 1), 0, GroupId);
}

int ExpertInfoModel::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return int(m_groups.size());
    if (parent.internalId() != GroupId || parent.column() != 0)
        return 0;
    return int(m_groups[std::size_t(parent.row())].rows.size());
}

int ExpertInfoModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

QVariant ExpertInfoModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    if (index.internalId() == GroupId)
        return groupData(m_groups[std::size_t(index.row())], index.column(), role);
    return occurrenceData(m_groups[std::size_t(index.internalId() - 1)], index.row(),
                          index.column(), role);
}

namespace {

QString severityText(Severity severity)
{
    return severity == Severity::Error ? ExpertInfoModel::tr("Error")
                                       : ExpertInfoModel::tr("Warning");
}

QVariant severityIcon(Severity severity)
{
    return severity == Severity::Error ? icons::error() : icons::warning();
}

} // namespace

QVariant ExpertInfoModel::groupData(const Group &group, int column, int role) const
{
    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case SummaryColumn:
            return group.kind;
        case SeverityColumn:
            return severityText(group.severity);
        case CountColumn:
            return QLocale().toString(qulonglong(group.rows.size()));
        default:
            return {};
        }
    case Qt::DecorationRole:
        return column == SeverityColumn ? severityIcon(group.severity) : QVariant();
    case Qt::TextAlignmentRole:
        return column == CountColumn ? QVariant(Qt::AlignRight | Qt::AlignVCenter) : QVariant();
    case Qt::ToolTipRole:
        if (column == SummaryColumn)
            return group.rows.size() == 1
                       ? tr("1 row of the log: expand to see it, double-click it to show it")
                       : tr("%1 rows of the log: expand to list them, double-click one to show "
                            "it")
                             .arg(QLocale().toString(qulonglong(group.rows.size())));
        return {};
    case SourceRowRole:
        return -1;
    case SeverityRole:
        return int(group.severity);
    case KindRole:
        return group.kind;
    case SortRole:
        switch (column) {
        case SeverityColumn:
            return int(group.severity);
        case CountColumn:
            return qulonglong(group.rows.size());
        case NumberColumn:
        case TimeColumn:
            return group.rows.empty() ? 0 : group.rows.front(); // the first occurrence
        default:
            return group.kind;
        }
    }
    return {};
}

QVariant ExpertInfoModel::occurrenceData(const Group &group, int row, int column, int role) const
{
    const int sourceRow = group.rows[std::size_t(row)];
    const MessageLogModel::Record &record = m_log->record(sourceRow);
    switch (role) {
    case Qt::DisplayRole:
    case Qt::ToolTipRole:
        switch (column) {
        case SummaryColumn: {
            // A note's type column only repeats the severity; a frame's names the message.
            const QString summary = m_log->summaryText(record);
            if (record.kind == Kind::Warning || record.kind == Kind::Error)
                return summary;
            return QStringLiteral("%1: %2").arg(m_log->typeText(record), summary);
        }
        case SeverityColumn:
            return role == Qt::DisplayRole ? QVariant() : severityText(group.severity);
        case NumberColumn:
            return sourceRow + 1;
        case SessionColumn:
            return m_log->sessionLabel(record.session);
        case TimeColumn:
            // Whatever the log's Time column shows, so that both read the same.
            return m_log->index(sourceRow, MessageLogModel::TimeColumn).data(role);
        default:
            return {};
        }
    case Qt::TextAlignmentRole:
        return column == NumberColumn || column == TimeColumn
                   ? QVariant(Qt::AlignRight | Qt::AlignVCenter)
                   : QVariant();
    case SourceRowRole:
        return sourceRow;
    case SeverityRole:
        return int(group.severity);
    case KindRole:
        return group.kind;
    case SortRole:
        switch (column) {
        case SeverityColumn:
        case CountColumn:
            // One value for all: a (stable) sort on the group's columns keeps occurrences in
            // the log's order, whichever way it goes.
            return 0;
        case NumberColumn:
        case TimeColumn:
            return sourceRow;
        case SessionColumn:
            return record.session;
        default:
            return m_log->summaryText(record);
        }
    }
    return {};
}

QVariant ExpertInfoModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case SummaryColumn:
        return tr("Summary");
    case SeverityColumn:
        return tr("Severity");
    case CountColumn:
        return tr("Count");
    case NumberColumn:
        return tr("No.");
    case SessionColumn:
        return tr("Session");
    case TimeColumn:
        return tr("Time");
    default:
        return {};
    }
}

} // namespace hyperscope
