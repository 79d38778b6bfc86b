// ExpertInfoModel: the log's warnings and errors grouped by kind (Wireshark's Expert Information).
//
// A two-level tree over a MessageLogModel (read, not owned):
//   - one top-level row per group: a severity and a kind ("capability-mismatch", "unknown
//     channel id", "unassigned frame type"), with how many rows of the log belong to it;
//   - under it one row per occurrence: the log row's number, session, time and summary.
// A problem is a log row whose severity (MessageLogModel::severity()) is Warning or Error: the
// warning and error lines, failed handshake messages, malformed frames and frames of unassigned
// types. Its kind is derived from what the row carries (problemKind()): an error line names its
// error code first ("capability-mismatch: ..."), a warning line is matched against the engine's
// and the relay's known wordings, and anything else falls back to its text with the numbers
// and keys taken out, so that repeats of one message still fall into one group.
//
// The model follows the log as it grows: each flushed batch is classified once (only its
// problem rows cost anything) and inserted with one beginInsertRows() per group it touches; a
// cleared log resets it. Occurrences are kept as log row numbers, 4 bytes each, so a million-row
// log with a problem on every row stays cheap. Display text is built in data().
#pragma once

#include "messagelogmodel.h"

#include <QAbstractItemModel>
#include <QHash>
#include <QString>

#include <vector>

namespace hyperscope {

class ExpertInfoModel : public QAbstractItemModel
{
    Q_OBJECT
public:
    enum Column {
        SummaryColumn,  ///< Group: the kind. Occurrence: the row's type and summary.
        SeverityColumn, ///< "Error" / "Warning".
        CountColumn,    ///< Group: its number of occurrences. Occurrence: empty.
        NumberColumn,   ///< Occurrence: the log's row number (No., 1-based).
        SessionColumn,  ///< Occurrence: the session's label.
        TimeColumn,     ///< Occurrence: the log's Time column.
        ColumnCount
    };

    enum Role {
        SourceRowRole = Qt::UserRole + 1, ///< int: the occurrence's log row; -1 for a group.
        SeverityRole,                     ///< int: MessageLogModel::Severity of the row or group.
        KindRole,                         ///< QString: the group's kind (occurrences too).
        SortRole,                         ///< A value to sort by (numbers as numbers).
        RoleCount
    };

    /// Follows @p log (not owned, must outlive the model) from now on; rows it already holds
    /// are classified at once.
    explicit ExpertInfoModel(const MessageLogModel *log, QObject *parent = nullptr);

    /// True for the severities that make a row a problem (Warning, Error).
    static bool isProblem(MessageLogModel::Severity severity);
    /// The kind a problem row falls into (see the header comment). Stable for a given text.
    static QString problemKind(const MessageLogModel &log, const MessageLogModel::Record &record);

    int warningCount() const { return m_warnings; }
    int errorCount() const { return m_errors; }
    int problemCount() const { return int(m_problemRows.size()); }
    int groupCount() const { return int(m_groups.size()); }
    /// Every problem row of the log, ascending.
    const std::vector<int> &problemRows() const { return m_problemRows; }
    /// The first problem row after @p row (-1: from the start), or -1 when none.
    int nextProblemRow(int row) const;
    /// The last problem row before @p row (-1 or past the end: from the end), or -1 when none.
    int previousProblemRow(int row) const;
    /// The top-level index of the group of @p severity and @p kind (invalid when none).
    QModelIndex groupIndex(MessageLogModel::Severity severity, const QString &kind) const;

    // QAbstractItemModel
    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

signals:
    /// warningCount() or errorCount() changed (after the rows were inserted, or after a reset).
    void countsChanged();

private:
    struct Group
    {
        MessageLogModel::Severity severity;
        QString kind;
        std::vector<int> rows; ///< Log rows, ascending.
    };

    void addRows(int first, int last);
    void reset();
    QVariant groupData(const Group &group, int column, int role) const;
    QVariant occurrenceData(const Group &group, int row, int column, int role) const;

    const MessageLogModel *m_log;
    std::vector<Group> m_groups; ///< In order of first appearance.
    QHash<QString, int> m_groupByKey;
    std::vector<int> m_problemRows;
    int m_warnings = 0;
    int m_errors = 0;
};

} // namespace hyperscope
