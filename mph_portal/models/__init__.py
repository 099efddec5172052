from . import (
    mph_correction_request,
    mph_enrollment,
    mph_erasure,
    mph_privacy_acceptance,
    mph_privacy_request,
    mph_retention,
    mph_student,
    res_users,
)
