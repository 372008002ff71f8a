from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    """Pages can carry PHI: no browser or proxy may keep a copy.
    Static files (served by WhiteNoise before this runs) stay cacheable."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith("/static/"):
            add_never_cache_headers(response)
            response["Cache-Control"] = "no-store, no-cache, must-revalidate, private, max-age=0"
        return response
