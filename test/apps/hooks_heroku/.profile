# Heroku sources .profile in bash at every dyno start, before the app's command: what it exports
# reaches the app.
export PROFILE_GREETING="from .profile in $(basename "${PWD}")"
