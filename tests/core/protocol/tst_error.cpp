// Error: the closed value every core failure is reported as (see error.h's convention).
#include "error.h"

#include <QtTest>

using namespace hyperscope;

class TestError : public QObject
{
    Q_OBJECT

private slots:
    void okAndFatal()
    {
        const Error none;
        QVERIFY(none.ok());
        QVERIFY(!none);
        QVERIFY(!none.isFatal());
        const Error refused(ErrorCode::UnknownChannel, "channel 00 is not open");
        QVERIFY(!refused.ok());
        QVERIFY(bool(refused));
        QVERIFY(!refused.isFatal());
        QVERIFY(Error(ErrorCode::HandshakeFailed, "x").isFatal());
        QVERIFY(Error(ErrorCode::Destroyed, "x").isFatal());
    }

    void toStringNamesTheCode()
    {
        QCOMPARE(Error().toString(), std::string("none"));
        QCOMPARE(Error(ErrorCode::None, "closed locally").toString(),
                 std::string("none: closed locally"));
        QCOMPARE(
            Error(ErrorCode::CapabilityMismatch, "capability mismatch for channel ab").toString(),
            std::string("capability-mismatch: capability mismatch for channel ab"));
        QCOMPARE(Error(ErrorCode::Timeout, "").toString(), std::string("timeout"));
    }
};

QTEST_GUILESS_MAIN(TestError)
#include "tst_error.moc"
