with source as (
    select * from {{ source('operations', 'nurse_shifts') }}
),

final as (
    select
        cast(nurse_shift_id as varchar) as nurse_shift_id,
        cast(unit_id as varchar) as unit_id,
        cast(hospital_id as varchar) as hospital_id,
        cast(shift_date as date) as shift_date,
        cast(shift_name as varchar) as shift_name,
        cast(patient_census as integer) as patient_census,
        cast(nurses_required as integer) as nurses_required,
        cast(regular_hours as double) as regular_hours,
        cast(overtime_hours as double) as overtime_hours,
        cast(agency_hours as double) as agency_hours,
    from source
)

select * from final
