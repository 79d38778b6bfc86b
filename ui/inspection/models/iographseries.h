// IoGraphSeries: messages and bytes per time interval, per direction, over a session (the data
// of Wireshark's I/O Graph). IoGraph (ui/widgets/views/iograph.h) draws it.
//
// A table, one row per interval ("bucket") from the earliest counted message to the latest:
// its start (seconds from the first bucket), messages in and out, bytes in and out, and the
// problems (warning and error rows) that fell into it. Messages are what StatisticsModel counts:
// frames, keepalives and handshake messages; bytes are their sizes as the log shows them.
//
// compute() reads the log in one pass with no object per row. The number of buckets is bounded
// (MaxBuckets): a log that spans more intervals than that is counted with the interval doubled
// as often as needed (intervalUs() then says which one was used, and requestedIntervalUs() what
// was asked), so a day-long capture at 100 ms costs a few megabytes, not hundreds. Rows need not
// be in time order (a capture opened next to live sessions is not).
#pragma once

#include "messagelogmodel.h"

#include <QAbstractTableModel>

#include <array>
#include <deque>

namespace hyperscope {

class IoGraphSeries : public QAbstractTableModel
{
    Q_OBJECT
public:
    /// The most buckets kept: far more than a screen has pixels, few enough to stay small.
    static constexpr int MaxBuckets = 100000;

    enum Column {
        StartColumn, ///< Seconds from the first bucket's start.
        MessagesInColumn,
        MessagesOutColumn,
        BytesInColumn,
        BytesOutColumn,
        ProblemsColumn,
        ColumnCount
    };

    struct Bucket
    {
        std::array<quint32, 2> messages{}; ///< Index: Direction (0 in, 1 out).
        std::array<quint64, 2> bytes{};
        quint32 problems = 0;
    };

    /// What the graph plots.
    enum class Measure { Messages, Bytes };

    explicit IoGraphSeries(QObject *parent = nullptr);

    /// Counts @p session's rows of @p log (0: every session) in intervals of @p intervalUs
    /// microseconds (at least 1), and resets the model.
    void compute(const MessageLogModel &log, int session, qint64 intervalUs);
    /// Empties the series (no buckets).
    void clear();

    int bucketCount() const { return int(m_buckets.size()); }
    const Bucket &bucket(int index) const { return m_buckets[std::size_t(index)]; }
    /// The value of bucket @p index in @p direction (0 in, 1 out).
    quint64 value(int index, int direction, Measure measure) const;
    /// The largest value of any bucket in either direction (0 when empty).
    quint64 peak(Measure measure) const;
    /// The log time (microseconds) at which the first bucket starts.
    qint64 startUs() const { return m_startUs; }
    /// The interval the buckets span (larger than asked when the log spanned too many).
    qint64 intervalUs() const { return m_intervalUs; }
    qint64 requestedIntervalUs() const { return m_requestedIntervalUs; }
    int session() const { return m_session; }
    /// Totals over every bucket.
    quint64 totalMessages(int direction) const { return m_totalMessages[std::size_t(direction)]; }
    quint64 totalBytes(int direction) const { return m_totalBytes[std::size_t(direction)]; }

    // QAbstractItemModel
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    std::deque<Bucket> m_buckets;
    qint64 m_startUs = 0;
    qint64 m_intervalUs = 1000000;
    qint64 m_requestedIntervalUs = 1000000;
    int m_session = 0;
    std::array<quint64, 2> m_totalMessages{};
    std::array<quint64, 2> m_totalBytes{};
    std::array<quint64, 2> m_peak{}; ///< Index: Measure.
};

} // namespace hyperscope
