// MessageLogFilterModel: the log's display filter: a filter expression (core/filter/filter.h,
// issue 12) or a text search, combined (and) with the filter bar's shortcuts for session, channel,
// types and direction.
//
// Every setter re-filters with QSortFilterProxyModel::invalidate(), which rebuilds the mapping
// under one layout change: hiding the keepalives of a million-row log is one update, not
// hundreds of thousands of row removals. Rows are tested straight on MessageLogModel::Record;
// only the text filter formats anything (the summary of each row it examines). An expression is
// evaluated on the Record and its stored bytes (MessageLogModel::recordBytes()) without a copy
// and without decoding unless it names a message field; a note's text is converted only for
// warning and error rows. A Data's verdict (`verified`, `verdict`, `verifyError`, and `warning`
// for a failed one) comes from MessageLogModel::feedVerdict(), only when the expression reads it.
#pragma once

#include "filter.h"
#include "messagelogmodel.h"

#include <QSortFilterProxyModel>

namespace hyperscope {

class MessageLogFilterModel : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    /// Bits of the type filter: frame types 0..15 are bits 0..15.
    enum TypeBit : quint32 {
        KeepAliveBit = 1u << 16,
        HandshakeBit = 1u << 17,
        NoteBit = 1u << 18, ///< Warnings, errors and session events.
    };
    static constexpr quint32 AllTypes = 0x7ffff;

    explicit MessageLogFilterModel(QObject *parent = nullptr);

    /// The source must be a MessageLogModel.
    void setSourceModel(QAbstractItemModel *model) override;
    MessageLogModel *logModel() const { return m_log; }

    /// 0 shows every session.
    void setSessionFilter(int session);
    int sessionFilter() const { return m_session; }
    /// Interned discovery key (MessageLogModel::channelKeyIndex); 0 shows every channel.
    void setChannelFilter(quint32 channelKey);
    quint32 channelFilter() const { return m_channelKey; }
    /// A set of TypeBit / frame-type bits.
    void setTypeMask(quint32 mask);
    quint32 typeMask() const { return m_typeMask; }
    void setShowKeepAlives(bool show);
    bool showKeepAlives() const { return m_typeMask & KeepAliveBit; }
    void setDirections(bool inbound, bool outbound);
    bool showsInbound() const { return m_inbound; }
    bool showsOutbound() const { return m_outbound; }
    /// Case-insensitive substring of the type, summary or note; empty shows everything.
    void setTextFilter(const QString &text);
    QString textFilter() const { return m_text; }
    /// A compiled filter expression (the empty filter shows everything). Rows must match it
    /// and every other filter here.
    void setExpression(const filter::Filter &expression);
    const filter::Filter &expression() const { return m_expression; }

    /// Whether source row @p row of @p log matches @p expression: what setExpression() tests,
    /// for others that evaluate expressions on the log (the colouring rules).
    static bool rowMatches(const filter::Filter &expression, const MessageLogModel &log, int row);

    /// When on, errors and warnings stay visible whatever the channel, type, direction and text
    /// filters say (the session filter still applies). Off by default: a filter means what it
    /// says. The log pane offers it as a visible switch in its filter bar.
    void setAlwaysShowProblems(bool show);
    bool alwaysShowProblems() const { return m_alwaysShowProblems; }

    /// True when any filter hides something.
    bool isFiltering() const;

    /// The log's data, except the Time column under MessageLogModel::TimeFormat::SincePrevious:
    /// there the time is counted from the previous row this filter shows (Wireshark's "since
    /// previous displayed packet"), which only the filter knows.
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    void refilter();

    MessageLogModel *m_log = nullptr;
    int m_session = 0;
    quint32 m_channelKey = 0;
    quint32 m_typeMask = AllTypes;
    bool m_inbound = true;
    bool m_outbound = true;
    bool m_alwaysShowProblems = false;
    QString m_text;
    filter::Filter m_expression;
    bool m_verdictRefilterPending = false; ///< A re-filter for new verdicts is queued.
};

} // namespace hyperscope
