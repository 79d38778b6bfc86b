#include "filter.h"

#include "evaluator.h"
#include "feedverifier.h"
#include "parser.h"
#include "program.h"
#include "varint.h"

namespace hyperscope::filter {

std::string FilterError::toString() const
{
    return "filter: column " + std::to_string(column) + ": " + message;
}

Filter::Filter()
    : m_program(std::make_shared<const Program>())
{}

Filter::~Filter() = default;
Filter::Filter(const Filter &) = default;
Filter &Filter::operator=(const Filter &) = default;

std::optional<Filter> Filter::compile(std::string_view expression, FilterError &error)
{
    auto program = std::make_shared<Program>();
    FilterError failure;
    if (!parseExpression(expression, *program, failure)) {
        error = std::move(failure);
        return std::nullopt;
    }
    Filter filter;
    filter.m_program = std::move(program);
    return filter;
}

bool Filter::matches(const Row &row) const
{
    return m_program->empty || evaluate(*m_program, row);
}

bool Filter::isEmpty() const
{
    return m_program->empty;
}

bool Filter::usesMessageFields() const
{
    return m_program->usesMessageFields;
}

bool Filter::usesFeedVerdict() const
{
    return m_program->usesFeedVerdict;
}

const std::string &Filter::expression() const
{
    return m_program->expression;
}

bool setFrame(Row &row, ByteView plainFrame)
{
    const varint::Decoded length = varint::decode(plainFrame);
    if (length.status != varint::Status::Ok || length.value != plainFrame.size() - length.size)
        return false;
    if (length.value == 0) {
        row.type = Row::KeepaliveType;
        row.size = plainFrame.size();
        row.payload.reset();
        return true;
    }
    const ByteView body = plainFrame.subspan(length.size);
    const varint::Decoded header = varint::decode(body);
    if (header.status != varint::Status::Ok)
        return false;
    row.type = static_cast<int>(header.value & 15);
    row.channel = header.value >> 4;
    row.size = plainFrame.size();
    if (row.type <= static_cast<int>(MessageType::Close))
        row.payload = body.subspan(header.size);
    else
        row.payload.reset();
    return true;
}

void setMessage(Row &row, const Message &message, Bytes &scratch)
{
    scratch.clear();
    appendMessage(scratch, message);
    row.type = static_cast<int>(messageType(message));
    row.payload = ByteView(scratch);
}

void setVerdict(Row &row, const feed::Verdict &verdict)
{
    row.verified = verdict.verified();
    switch (verdict.outcome) {
    case feed::Verdict::Outcome::Verified:
        row.verdict = "verified";
        row.verifyError.reset();
        return;
    case feed::Verdict::Outcome::Failed:
        row.verdict = "failed";
        row.verifyError = verdict.text;
        row.warning = verdict.text;
        return;
    case feed::Verdict::Outcome::Unverifiable:
        row.verdict = "unverifiable";
        row.verifyError = verdict.text;
        return;
    }
}

} // namespace hyperscope::filter
