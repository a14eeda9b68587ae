-- Planned or unplanned, every inpatient admission, by the CMS Planned Readmission
-- Algorithm version 4.0 (CMS/Yale CORE Hospital-Wide Readmission measure methodology):
-- 1. planned when any procedure is in an always-planned CCS procedure category (PR1:
--    bone marrow, kidney and other organ transplant; cesarean and assisted delivery);
-- 2. else planned when the principal diagnosis is in an always-planned CCS diagnosis
--    category (PR2: maintenance chemotherapy or radiotherapy, rehabilitation, delivery);
-- 3. else planned when any procedure is potentially planned (PR3: e.g. PCI, arthroplasty,
--    colorectal resection) and the principal diagnosis is not acute (PR4: e.g. AMI,
--    sepsis, heart failure);
-- 4. otherwise unplanned, including an admission with no coded diagnosis or procedure.
-- Codes map to AHRQ CCS categories (ICD-10-CM / ICD-10-PCS, dots ignored); the seeds
-- state which PAA tables are complete and which are documented subsets.

with encounters as (
    select * from {{ ref('int_encounters_enriched') }}
),

diagnoses as (
    select * from {{ ref('stg_ehr__diagnoses') }}
    where code_system = 'ICD-10-CM' and diagnosis_rank = 1
),

procedures as (
    select * from {{ ref('stg_ehr__procedures') }}
    where code_system = 'ICD-10-PCS'
),

diagnosis_categories as (
    select * from {{ ref('ahrq__ccs_icd10cm_diagnoses') }}
),

procedure_categories as (
    select * from {{ ref('ahrq__ccs_icd10pcs_procedures') }}
),

paa_diagnoses as (
    select * from {{ ref('cms__planned_readmission_diagnosis_categories') }}
),

paa_procedures as (
    select * from {{ ref('cms__planned_readmission_procedure_categories') }}
),

principal_diagnoses as (
    select
        diagnoses.encounter_id,
        arg_min(diagnoses.diagnosis_code, diagnoses.diagnosis_id) as principal_diagnosis_code,
        arg_min(diagnosis_categories.ccs_diagnosis_category, diagnoses.diagnosis_id) as principal_ccs_diagnosis_category,
        coalesce(bool_or(paa_diagnoses.planned_status = 'always_planned'), false) as is_always_planned_diagnosis,
        coalesce(bool_or(paa_diagnoses.planned_status = 'acute'), false) as is_acute_principal_diagnosis,
    from diagnoses
    left join diagnosis_categories
        on diagnosis_categories.icd10cm_code = upper(replace(diagnoses.diagnosis_code, '.', ''))
    left join paa_diagnoses
        on paa_diagnoses.ccs_diagnosis_category = diagnosis_categories.ccs_diagnosis_category
    group by diagnoses.encounter_id
),

encounter_procedures as (
    select
        procedures.encounter_id,
        coalesce(bool_or(paa_procedures.planned_status = 'always_planned'), false) as has_always_planned_procedure,
        coalesce(bool_or(paa_procedures.planned_status = 'potentially_planned'), false) as has_potentially_planned_procedure,
    from procedures
    left join procedure_categories
        on procedure_categories.icd10pcs_code = upper(procedures.procedure_code)
    left join paa_procedures
        on paa_procedures.ccs_procedure_category = procedure_categories.ccs_procedure_category
    group by procedures.encounter_id
),

flags as (
    select
        encounters.encounter_id,
        principal_diagnoses.principal_diagnosis_code,
        principal_diagnoses.principal_ccs_diagnosis_category,
        coalesce(encounter_procedures.has_always_planned_procedure, false) as has_always_planned_procedure,
        coalesce(principal_diagnoses.is_always_planned_diagnosis, false) as is_always_planned_diagnosis,
        coalesce(encounter_procedures.has_potentially_planned_procedure, false) as has_potentially_planned_procedure,
        coalesce(principal_diagnoses.is_acute_principal_diagnosis, false) as is_acute_principal_diagnosis,
    from encounters
    left join principal_diagnoses on principal_diagnoses.encounter_id = encounters.encounter_id
    left join encounter_procedures on encounter_procedures.encounter_id = encounters.encounter_id
),

final as (
    select
        *,
        case
            when has_always_planned_procedure then 'always_planned_procedure'
            when is_always_planned_diagnosis then 'always_planned_diagnosis'
            when has_potentially_planned_procedure and not is_acute_principal_diagnosis
                then 'potentially_planned_procedure'
        end as planned_reason,
    from flags
)

select *, planned_reason is not null as is_planned_admission from final
