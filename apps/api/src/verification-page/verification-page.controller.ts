import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { PublicRoute } from '../auth/public-route.decorator';
import { VERIFICATION_PAGE_HTML, VERIFICATION_PAGE_SCRIPT } from './verification.page';

/**
 * `GET /verify-email`: the page behind the mailed link when PUBLIC_BASE_URL points at this API (the default, and
 * the compose setup). A page for people, not part of the REST API: left out of the OpenAPI document. An app of
 * your own can host the link instead: it only has to post the token to `POST /users/verify-email`.
 */
@ApiExcludeController()
@Controller('verify-email')
export class VerificationPageController {
  @Get()
  @PublicRoute()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  page(): string {
    return VERIFICATION_PAGE_HTML;
  }

  @Get('page.js')
  @PublicRoute()
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', 'public, max-age=3600')
  script(): string {
    return VERIFICATION_PAGE_SCRIPT;
  }
}
