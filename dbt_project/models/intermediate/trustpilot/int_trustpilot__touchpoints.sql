-- Every Trustpilot private review as a `review` touch of the person whose email the business invited to review
-- (referralEmail, trimmed and lower-cased: the identity graph resolves it like any email), at the review's creation,
-- with its current stars (1-5, a revision's stars once revised) as score and `trustpilot` as detail. A review whose
-- email nobody in the CRM has stays an unresolved touch. `channel` is the source's hint `crm` (seed channel_rules
-- names the sub-channel).
with

reviews as (

    select * from {{ ref('stg_trustpilot__reviews') }}
    where not is_archived

),

review_touches as (

    select
        'reviews' as source_stream,
        review_id as source_record_id,
        {{ surrogate_key(["'trustpilot'", "'reviews'", 'review_id']) }} as touch_event_id,
        'email' as person_identifier_type,
        referral_email_normalized as person_identifier_value,
        created_at as occurred_at,
        'review' as touch_type,
        'crm' as channel,
        'trustpilot' as detail,
        stars as score
    from reviews

),

final as (

    {{ select_source_touches('review_touches', 'trustpilot', [
        'source_stream', 'source_record_id', 'touch_event_id', 'person_identifier_type', 'person_identifier_value',
        'occurred_at', 'touch_type', 'channel', 'detail', 'score']) }}

)

select * from final
