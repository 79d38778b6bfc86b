// MessageLogFilterModel: the log's display filter (session, channel, types, direction, text).
//
// Every setter re-filters with QSortFilterProxyModel::invalidate(), which rebuilds the mapping
// under one layout change: hiding the keepalives of a million-row log is one update, not
// hundreds of thousands of row removals. Rows are tested straight on MessageLogModel::Record;
// only the text filter formats anything (the summary of each row it examines).
#pragma once

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
    /// Errors and warnings stay visible whatever the type, channel and text filters say.
    void setAlwaysShowProblems(bool show);

    /// True when any filter hides something.
    bool isFiltering() const;

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
    bool m_alwaysShowProblems = true;
    QString m_text;
};

} // namespace hyperscope
