#include "iographseries.h"

#include "expertinfomodel.h"

#include <QLocale>

#include <algorithm>

namespace hyperscope {

namespace {

/// Division rounding towards minus infinity (bucket indices before the origin are negative).
qint64 floorDiv(qint64 a, qint64 b)
{
    const qint64 q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

void merge(IoGraphSeries::Bucket &into, const IoGraphSeries::Bucket &from)
{
    for (std::size_t d = 0; d < 2; ++d) {
        into.messages[d] += from.messages[d];
        into.bytes[d] += from.bytes[d];
    }
    into.problems += from.problems;
}

} // namespace

IoGraphSeries::IoGraphSeries(QObject *parent)
    : QAbstractTableModel(parent)
{}

void IoGraphSeries::clear()
{
    beginResetModel();
    m_buckets.clear();
    m_startUs = 0;
    m_totalMessages = {};
    m_totalBytes = {};
    m_peak = {};
    endResetModel();
}

void IoGraphSeries::compute(const MessageLogModel &log, int session, qint64 intervalUs)
{
    using Kind = MessageLogModel::Kind;
    intervalUs = std::max<qint64>(intervalUs, 1);
    std::deque<Bucket> buckets;
    qint64 interval = intervalUs;
    qint64 origin = 0;     // the first counted row's time: bucket 0 starts there
    qint64 firstIndex = 0; // the bucket index of buckets.front()
    std::array<quint64, 2> totalMessages{};
    std::array<quint64, 2> totalBytes{};

    // Doubles the interval: buckets 2k and 2k+1 become bucket k.
    const auto coarsen = [&] {
        std::deque<Bucket> merged;
        const qint64 newFirst = floorDiv(firstIndex, 2);
        for (std::size_t i = 0; i < buckets.size(); ++i) {
            const qint64 target = floorDiv(firstIndex + qint64(i), 2) - newFirst;
            if (qint64(merged.size()) <= target)
                merged.emplace_back();
            merge(merged[std::size_t(target)], buckets[i]);
        }
        buckets = std::move(merged);
        firstIndex = newFirst;
        interval *= 2;
    };

    const int rows = log.rowCount();
    for (int row = 0; row < rows; ++row) {
        const MessageLogModel::Record &r = log.record(row);
        if (session != 0 && r.session != session)
            continue;
        const bool note = r.kind == Kind::Warning || r.kind == Kind::Error || r.kind == Kind::Event;
        const bool problem = ExpertInfoModel::isProblem(log.severity(r));
        if (note && !problem)
            continue;
        if (buckets.empty()) {
            origin = r.timeUs;
            firstIndex = 0;
            buckets.emplace_back();
        }
        qint64 index = floorDiv(r.timeUs - origin, interval);
        while (std::max<qint64>(index, firstIndex + qint64(buckets.size()) - 1) -
                   std::min(index, firstIndex) + 1 >
               MaxBuckets) {
            coarsen();
            index = floorDiv(r.timeUs - origin, interval);
        }
        while (index < firstIndex) {
            buckets.emplace_front();
            --firstIndex;
        }
        while (index >= firstIndex + qint64(buckets.size()))
            buckets.emplace_back();
        Bucket &bucket = buckets[std::size_t(index - firstIndex)];
        if (problem)
            ++bucket.problems;
        if (note)
            continue;
        const std::size_t direction = r.direction() == Direction::Outbound ? 1 : 0;
        ++bucket.messages[direction];
        bucket.bytes[direction] += r.bytes.size;
        ++totalMessages[direction];
        totalBytes[direction] += r.bytes.size;
    }

    std::array<quint64, 2> peak{};
    for (const Bucket &bucket : buckets) {
        for (std::size_t d = 0; d < 2; ++d) {
            peak[std::size_t(Measure::Messages)] =
                std::max<quint64>(peak[std::size_t(Measure::Messages)], bucket.messages[d]);
            peak[std::size_t(Measure::Bytes)] =
                std::max(peak[std::size_t(Measure::Bytes)], bucket.bytes[d]);
        }
    }

    beginResetModel();
    m_buckets = std::move(buckets);
    m_startUs = origin + firstIndex * interval;
    m_intervalUs = interval;
    m_requestedIntervalUs = intervalUs;
    m_session = session;
    m_totalMessages = totalMessages;
    m_totalBytes = totalBytes;
    m_peak = peak;
    endResetModel();
}

quint64 IoGraphSeries::value(int index, int direction, Measure measure) const
{
    const Bucket &b = bucket(index);
    return measure == Measure::Messages ? b.messages[std::size_t(direction)]
                                        : b.bytes[std::size_t(direction)];
}

quint64 IoGraphSeries::peak(Measure measure) const
{
    return m_peak[std::size_t(measure)];
}

int IoGraphSeries::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : bucketCount();
}

int IoGraphSeries::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant IoGraphSeries::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    if (role != Qt::DisplayRole && role != Qt::EditRole)
        return {};
    const Bucket &b = bucket(index.row());
    switch (Column(index.column())) {
    case StartColumn:
        return double(qint64(index.row()) * m_intervalUs) / 1e6;
    case MessagesInColumn:
        return b.messages[0];
    case MessagesOutColumn:
        return b.messages[1];
    case BytesInColumn:
        return b.bytes[0];
    case BytesOutColumn:
        return b.bytes[1];
    case ProblemsColumn:
        return b.problems;
    case ColumnCount:
        break;
    }
    return {};
}

QVariant IoGraphSeries::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case StartColumn:
        return tr("Start (s)");
    case MessagesInColumn:
        return tr("Msgs in");
    case MessagesOutColumn:
        return tr("Msgs out");
    case BytesInColumn:
        return tr("Bytes in");
    case BytesOutColumn:
        return tr("Bytes out");
    case ProblemsColumn:
        return tr("Problems");
    default:
        return {};
    }
}

} // namespace hyperscope
